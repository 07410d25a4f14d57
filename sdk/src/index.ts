/** Perpool TypeScript SDK. */
export * from "./constants";
export * from "./pda";
export * from "./program";
export * from "./types";
export * from "./accounts";
export * from "./oracle";
export * from "./publisher";
export * from "./loader";
export * from "./pool";
export * from "./position";
export * from "./projection";
export * from "./loan";
export * from "./instructions";
export * from "./provider";
export * as math from "./math";
export { default as IDL } from "./idl/perpool.json";
export * from "./keeper";
