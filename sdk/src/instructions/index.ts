export * from "./admin";
export * from "./liquidity";
