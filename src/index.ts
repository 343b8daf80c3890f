import { app } from "@azure/functions";
import { getConfig } from "./config";

// Read and validate every setting at start-up: a bad value stops the app here, with a message naming it.
getConfig();

app.setup({ enableHttpStream: false });
