/** A configuration the service must not start with; the message names every bad variable. */
export class ConfigError extends Error {}
