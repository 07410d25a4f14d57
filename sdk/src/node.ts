/**
 * The package root (`@perpool/sdk`) for Node and bundlers: the browser-safe SDK plus the program
 * loader helpers and the keeper. No native module and no test code: the LiteSVM provider and
 * fixtures are `@perpool/sdk/testing`.
 */
export * from "./web";
export * from "./loader";
export * from "./keeper";
