// ESLint over the TypeScript we write: @eslint/js and typescript-eslint's recommended sets (the
// syntactic ones; the type-checked set over every file is too slow for CI), and the rules of hooks
// in the app. Prettier owns the layout: eslint-config-prettier, last, turns off what would fight it.
// `npm run lint` runs it with --max-warnings 0.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // Dependencies, build outputs (dist/, sdk/dist/, app/dist/, target/), and the IDL files
    // sdk/scripts/gen-idl.ts writes.
    ignores: ["**/node_modules/", "**/dist/", "target/", "sdk/src/idl/"],
  },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      // A leading underscore marks a parameter or binding that is unused on purpose (an interface's
      // argument, a field split off with a rest pattern).
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
        },
      ],
    },
  },
  {
    // Tests read JSON-RPC responses, anchor-decoded accounts and caught errors as they come; `any`
    // there is assertion scaffolding, and the assertions check the values. Library code keeps the rule.
    files: ["tests/**/*.ts", "sdk/tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["app/src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    // Type-aware promise rules where a lost rejection does the most harm: the SDK (the keeper and
    // CLI run on it) and the local validator's server. Types cost time (about 25 s of CPU for these
    // two trees, each through its own tsconfig), so the rest stays syntactic.
    files: ["sdk/src/**/*.ts", "localnet/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    // The CommonJS launchers and build scripts Node runs as they are.
    files: ["**/*.js"],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
  prettier,
);
