import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The SDK is used from its TypeScript sources, through its browser-safe entry
// (everything but the LiteSVM provider, which needs Node).
const sdkWeb = fileURLToPath(new URL("../sdk/src/web.ts", import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [{ find: /^@perpool\/sdk$/, replacement: sdkWeb }],
  },
  server: { host: "127.0.0.1", port: 5173 },
  preview: { host: "127.0.0.1", port: 4173 },
  optimizeDeps: {
    // Listed up front so the dev server never re-optimizes (and reloads the page) mid-session.
    include: [
      "@coral-xyz/anchor",
      "@solana/wallet-adapter-base",
      "@solana/wallet-adapter-react",
      "@solana/web3.js",
      "bn.js",
      "buffer",
      "react",
      "react-dom/client",
      "react/jsx-runtime",
      "react/jsx-dev-runtime",
      "lightweight-charts",
    ],
  },
  build: {
    target: "es2022",
    // No source maps in the production build (they would ship the sources and double the download).
    sourcemap: false,
    chunkSizeWarningLimit: 650,
    rollupOptions: {
      output: {
        // Libraries in their own long-lived chunks; each page is its own chunk (React.lazy in App.tsx).
        manualChunks(id: string) {
          if (!id.includes("node_modules")) return undefined;
          if (id.includes("lightweight-charts") || id.includes("fancy-canvas")) return "charts";
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return "react";
          if (id.includes("@solana/wallet-adapter")) return "wallet";
          return "solana";
        },
      },
    },
  },
});
