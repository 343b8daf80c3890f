/* global module */
// Azurite's telemetry SDK, in the development install only: Azurite depends on `applicationinsights` and requires
// it as it starts, but sends nothing when started with --disableTelemetry, as sandbox/azurite.ts always starts it
// (its telemetry client checks that setting before every use). So package.json installs this empty module in its
// place ("overrides"): `npm ci` then skips the SDK and the OpenTelemetry packages it brings (216 packages, 233 of
// 590 MB), and Azurite starts without loading them. Nothing of the app depends on it (test/supplyChain.test.ts holds a
// package from the repository to development only); an app that took the real SDK would drop the override.
module.exports = {};
