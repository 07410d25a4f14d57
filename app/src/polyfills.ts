/**
 * Node globals that @solana/web3.js 1.x, @coral-xyz/anchor and the SDK expect.
 * Imported first by main.tsx, so it runs before any of them is evaluated.
 */
import { Buffer } from "buffer";

const g = globalThis as unknown as { Buffer?: typeof Buffer; process?: { env: Record<string, string | undefined> } };
if (!g.Buffer) g.Buffer = Buffer;
if (!g.process) g.process = { env: {} };
