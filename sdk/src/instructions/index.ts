export * from "./admin";
