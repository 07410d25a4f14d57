/** `@perpool/sdk/idl`: the IDL value and its camelCase `Perpool` type, without the rest of the SDK. */
export { IDL } from "./idl";
export type { Perpool } from "./perpool";
