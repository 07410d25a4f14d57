export * from "./admin";
export * from "./liquidity";
export * from "./trade";
export * from "./lending";
export * from "./params";
