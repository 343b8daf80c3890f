/**
 * Preloaded into Azurite's process (`node -r`): Azurite requires `applicationinsights` at start even when started
 * with --disableTelemetry, and loading it is most of Azurite's start (about 1.2 of 1.9 CPU-seconds here; the test
 * suites start Azurite some 50 times). With telemetry disabled Azurite never calls into it (its telemetry client
 * checks the setting before every use), so it gets an empty module instead. Nothing else is changed.
 */
import Module from "node:module";

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;

if (process.argv.includes("--disableTelemetry"))
  loader._load = function (request, parent, isMain) {
    return request === "applicationinsights" ? {} : load.call(this, request, parent, isMain);
  };
