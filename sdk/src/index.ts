/** Perpool TypeScript SDK. */
export * from "./constants";
export * from "./pda";
export * from "./program";
export * from "./types";
export * from "./accounts";
export * from "./instructions";
export * from "./provider";
// MATH_EXPORT
export { default as IDL } from "./idl/perpool.json";
