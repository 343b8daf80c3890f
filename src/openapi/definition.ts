/**
 * The OpenAPI 2.0 definition of every HTTP operation of the app (Power Automate custom connectors accept
 * only 2.0). One module: GET /api/openapi.json serves it, `npm run connector:export` writes it to
 * connector/, and the tests validate every answer they receive against it, so code and definition move
 * together.
 */

/** An OpenAPI 2.0 (Swagger) JSON Schema object, with the x-ms-* extensions Power Platform reads. */
export type Schema = { [keyword: string]: unknown };

export interface DefinitionOptions {
  /** Host (and port) without scheme, e.g. func-x.azurewebsites.net. */
  host: string;
  /** Path before the routes; default /api. */
  basePath?: string;
  /** Default ["https"]. */
  schemes?: string[];
  /** How a connection signs in; default the function key. */
  auth?: ConnectorAuth;
}

/**
 * The sign-in a connector is exported for. Power Platform takes one way per connector here: the function key,
 * or Microsoft Entra ID (App Service authentication checks the token, then the Functions host the key).
 */
export type ConnectorAuth =
  | { kind: "key" }
  | {
      kind: "entra";
      /** Client id of the connector's own app registration (the one Power Platform signs in with). */
      clientId: string;
      /** Tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com. */
      tenant: string;
      /** The function app's Entra app: its client id or App ID URI (api://...), the token's audience. */
      resource: string;
    };

/** The host the exported connector carries until the maker sets their function app's. */
export const connectorHostPlaceholder = "your-function-app.azurewebsites.net";

export const operationIds = [
  "GetPrinterJob",
  "GetShareJob",
  "WaitForPrinterJob",
  "WaitForShareJob",
  "GetJobAuditTimeline",
  "ListAuditJobs",
  "GetOpenApiDefinition",
  "ListAuditEvents",
  "ListAuditedPrinters",
  "OnPrintJobFinished",
  "OnPrinterFailing",
  "EraseAuditUser",
  "GetAuditErasure",
  "GetAuditSummaries",
] as const;
export type OperationId = (typeof operationIds)[number];

// ---- schemas ---------------------------------------------------------------------------------------------

const str = (summary: string, description: string, extra: Schema = {}): Schema => ({
  type: "string",
  "x-ms-summary": summary,
  description,
  "x-nullable": true,
  ...extra,
});
const dateTime = (summary: string, description: string): Schema => str(summary, description, { format: "date-time" });
const int = (summary: string, description: string, format = "int32"): Schema => ({
  type: "integer",
  format,
  "x-ms-summary": summary,
  description,
  "x-nullable": true,
});
const bool = (summary: string, description: string): Schema => ({
  type: "boolean",
  "x-ms-summary": summary,
  description,
  "x-nullable": true,
});
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const advanced = (schema: Schema): Schema => ({ ...schema, "x-ms-visibility": "advanced" });
const internal = (schema: Schema): Schema => ({ ...schema, "x-ms-visibility": "internal" });
const listOf = (summary: string, description: string, items: Schema): Schema => ({
  type: "array",
  "x-ms-summary": summary,
  description,
  "x-nullable": true,
  items,
});

const jobStates = "unknown, pending, processing, paused, stopped, completed, canceled, aborted (new values may appear)";

const definitions: Record<string, Schema> = {
  UserIdentity: {
    type: "object",
    "x-nullable": true,
    description: "Who submitted the job.",
    properties: {
      id: str("Submitter ID", "Object id of the user in Microsoft Entra ID."),
      displayName: str("Submitter name", "Display name of the user."),
      userPrincipalName: str("Submitter UPN", "User principal name (sign-in name) of the user."),
      ipAddress: advanced(str("Submitter IP address", "IP address the job came from, when Graph reports it.")),
    },
  },
  PrintJobStatus: {
    type: "object",
    "x-nullable": true,
    description: "Where the job is in its processing.",
    properties: {
      state: str("Job state", `Processing state: ${jobStates}. completed, canceled and aborted are final.`),
      description: str("State description", "A sentence describing the state."),
      details: listOf(
        "State details",
        "Reasons for the state (printJobStateDetail), e.g. uploadPending, transforming, interpreting, releaseWait, completedSuccessfully, " +
          "completedWithWarnings, completedWithErrors (new values may appear).",
        { type: "string" },
      ),
      isAcquiredByPrinter: bool("Acquired by printer", "True once a printer has taken the job."),
    },
  },
  IntegerRange: {
    type: "object",
    description: "A range of pages.",
    properties: { start: int("From page", "First page."), end: int("To page", "Last page.") },
  },
  PrintMargin: {
    type: "object",
    "x-nullable": true,
    // Here, not beside the $ref that uses it: Swagger 2.0 ignores every sibling of $ref.
    "x-ms-visibility": "advanced",
    description: "Margins in microns.",
    properties: {
      top: int("Top margin", "Top margin in microns."),
      bottom: int("Bottom margin", "Bottom margin in microns."),
      left: int("Left margin", "Left margin in microns."),
      right: int("Right margin", "Right margin in microns."),
    },
  },
  PrintJobConfiguration: {
    type: "object",
    "x-nullable": true,
    description: "The print settings of the job.",
    properties: {
      copies: int("Copies", "Number of copies."),
      colorMode: str("Color mode", "blackAndWhite, grayscale, color or auto."),
      duplexMode: str("Duplex mode", "flipOnLongEdge, flipOnShortEdge or oneSided."),
      mediaSize: str("Paper size", "Paper size, e.g. A4 or North America Letter."),
      orientation: str("Orientation", "portrait, landscape, reverseLandscape or reversePortrait."),
      pagesPerSheet: int("Pages per sheet", "Pages printed on each side of a sheet."),
      pageRanges: advanced(listOf("Page ranges", "Pages to print.", ref("IntegerRange"))),
      collate: advanced(bool("Collate", "Whether copies are collated.")),
      dpi: advanced(int("Resolution in DPI", "Resolution in dots per inch.")),
      feedOrientation: advanced(str("Feed orientation", "longEdgeFirst or shortEdgeFirst.")),
      finishings: advanced(listOf("Finishings", "Finishing processes, e.g. staple, punch.", { type: "string" })),
      fitPdfToPage: advanced(bool("Fit PDF to page", "Whether a PDF is scaled to the page.")),
      inputBin: advanced(str("Input tray", "Input tray name.")),
      outputBin: advanced(str("Output bin", "Output bin name.")),
      margin: ref("PrintMargin"),
      mediaType: advanced(str("Media type", "Media type, e.g. stationery, transparency.")),
      multipageLayout: advanced(
        str("Multipage layout", "Order of pages on a sheet when several are printed per side."),
      ),
      quality: advanced(str("Quality", "low, medium or high.")),
      scaling: advanced(str("Scaling", "auto, shrinkToFit, fill, fit or none.")),
    },
  },
  PrintDocument: {
    type: "object",
    description: "A document of the job ($expand=documents).",
    properties: {
      id: str("Document ID", "Id of the document."),
      displayName: str("Document name", "Name of the document (may be empty)."),
      contentType: str("Content type", "MIME type, e.g. application/oxps or application/pdf."),
      size: int("Document size", "Size in bytes.", "int64"),
      uploadedDateTime: advanced(dateTime("Uploaded", "When the document was uploaded.")),
      downloadedDateTime: advanced(dateTime("Downloaded", "When the printer downloaded the document.")),
    },
  },
  PrintTaskStatus: {
    type: "object",
    "x-nullable": true,
    description: "Progress of a task.",
    properties: {
      state: str("Task state", "pending, processing, completed or aborted (new values may appear)."),
      description: str("Task state description", "A sentence describing the task's state."),
    },
  },
  PrintTask: {
    type: "object",
    description: "A task run on the job, e.g. by a pull-print or release service ($expand=tasks).",
    properties: {
      id: str("Task ID", "Id of the task."),
      parentUrl: advanced(str("Task parent URL", "Graph URL of the job the task belongs to.")),
      status: ref("PrintTaskStatus"),
    },
  },
  PrintJob: {
    type: "object",
    description: "A Universal Print job as Microsoft Graph returns it.",
    properties: {
      "@odata.context": internal({ type: "string", description: "Graph's OData context URL." }),
      id: str("Job ID", "Id of the job, e.g. 5182."),
      createdDateTime: dateTime("Created", "When the job was submitted (UTC)."),
      createdBy: ref("UserIdentity"),
      status: ref("PrintJobStatus"),
      configuration: ref("PrintJobConfiguration"),
      isFetchable: advanced(bool("Fetchable", "Whether a printer can fetch the job now.")),
      redirectedFrom: advanced(
        str("Redirected from", "Graph URL of the job this job was redirected from, when it was."),
      ),
      redirectedTo: advanced(str("Redirected to", "Graph URL of the job this job was redirected to, when it was.")),
      errorCode: advanced(int("Error code", "Error code of a failed job.")),
      acknowledgedDateTime: advanced(dateTime("Acknowledged", "When the printer acknowledged the job.")),
      documents: listOf("Documents", "The job's documents (with Include = documents).", ref("PrintDocument")),
      tasks: listOf("Tasks", "The job's current and recent tasks (with Include = tasks).", ref("PrintTask")),
    },
  },
  CompletionPending: {
    type: "object",
    description:
      "The job is still running: poll the Location header after Retry-After seconds (Power Automate does this by itself).",
    additionalProperties: false,
    required: ["jobId", "state", "deadline", "timeout", "retryAfterSeconds"],
    properties: {
      jobId: { type: "string", "x-ms-summary": "Job ID", description: "Id of the job." },
      state: { type: "string", "x-ms-summary": "Job state", description: `Current state: ${jobStates}.` },
      description: {
        type: "string",
        "x-ms-summary": "State description",
        description: "A sentence describing the state.",
      },
      deadline: {
        type: "string",
        format: "date-time",
        "x-ms-summary": "Deadline",
        description: "When the wait gives up (UTC).",
      },
      timeout: {
        type: "string",
        "x-ms-summary": "Timeout",
        description: "The timeout asked for, as an ISO-8601 duration.",
      },
      retryAfterSeconds: {
        type: "integer",
        format: "int32",
        "x-ms-summary": "Retry after seconds",
        description: "Seconds until the next poll.",
      },
    },
  },
  ErrorDetail: {
    type: "object",
    additionalProperties: false,
    required: ["code", "message"],
    properties: {
      code: {
        type: "string",
        "x-ms-summary": "Error code",
        description:
          "What went wrong, for a flow to branch on: badRequest, notFound, graphAccessDenied, throttled, completionTimeout, timeout, " +
          "graphUnavailable, graphTimeout, graphError, managedIdentityUnavailable, configurationError, internalError and others.",
      },
      message: { type: "string", "x-ms-summary": "Error message", description: "What to do about it, for a person." },
      target: {
        type: "string",
        "x-ms-summary": "Error target",
        description: "The part of the request that is wrong, e.g. printerId, timeout.",
      },
      requestId: {
        type: "string",
        "x-ms-summary": "Request ID",
        description: "This call's id (also the x-request-id header); finds its log lines.",
      },
      graphRequestId: {
        type: "string",
        "x-ms-summary": "Graph request ID",
        description: "Microsoft Graph's request-id, for Microsoft support.",
      },
      lastState: {
        type: "string",
        "x-ms-summary": "Last job state",
        description: "With completionTimeout: the job's state when the wait gave up.",
      },
    },
  },
  Error: {
    type: "object",
    description: "An error answer.",
    additionalProperties: false,
    required: ["error"],
    properties: { error: ref("ErrorDetail") },
  },
  ...auditDefinitions(),
  ...eventDefinitions(),
  ...summaryDefinitions(),
};

/** The daily summaries' answer (src/audit/summariesQuery.ts): counts per UTC day, printer, state and person. */
function summaryDefinitions(): Record<string, Schema> {
  const count = (summary: string, description: string): Schema => ({
    type: "integer",
    format: "int32",
    "x-ms-summary": summary,
    description,
  });
  const states: Schema = {
    type: "object",
    "x-ms-summary": "Jobs per state",
    description: "Jobs by their latest recorded state, e.g. completed: 812.",
    additionalProperties: { type: "integer", format: "int32" },
  };
  return {
    AuditSummaries: {
      type: "object",
      description: "Jobs created in a range of UTC days, each counted once in its latest recorded state.",
      required: ["from", "to", "jobs", "states", "days", "printers", "users"],
      properties: {
        from: { type: "string", format: "date", "x-ms-summary": "From", description: "First UTC day of the range." },
        to: { type: "string", format: "date", "x-ms-summary": "To", description: "Last UTC day of the range." },
        timeZone: { type: "string", "x-ms-summary": "Time zone", description: "Always UTC: the days are UTC days." },
        jobs: count("Jobs", "Jobs created in the range."),
        states: {
          type: "array",
          "x-ms-summary": "States",
          description: "The states counted, usual order first.",
          items: { type: "string" },
        },
        days: {
          type: "array",
          "x-ms-summary": "Days",
          description: "Every day of the range, quiet days with 0.",
          items: {
            type: "object",
            properties: {
              day: { type: "string", format: "date", "x-ms-summary": "Day", description: "The UTC day." },
              jobs: count("Jobs", "Jobs created that day."),
              states,
            },
          },
        },
        printers: {
          type: "array",
          "x-ms-summary": "Printers",
          description: "Every printer with jobs in the range, busiest first.",
          items: {
            type: "object",
            properties: {
              printerId: { type: "string", "x-ms-summary": "Printer ID", description: "Id of the printer." },
              printerName: str("Printer name", "Name of the printer on its newest day in the range."),
              jobs: count("Jobs", "Jobs of the printer in the range."),
              aborted: count("Aborted", "Of them, aborted."),
              canceled: count("Canceled", "Of them, canceled."),
              states,
            },
          },
        },
        users: {
          type: "array",
          "x-ms-summary": "Busiest people",
          description:
            "The people with the most jobs, as recorded (UPN or id, or pseudonyms when the audit hashes users).",
          items: {
            type: "object",
            properties: {
              user: { type: "string", "x-ms-summary": "User", description: "The person as recorded." },
              jobs: count("Jobs", "Their jobs in the range."),
            },
          },
        },
        usersRecorded: {
          type: "boolean",
          "x-ms-summary": "Users recorded",
          description: "False when the audit records no users.",
        },
      },
    },
  };
}

/**
 * The audit read API's answers (src/functions/getJobTimeline.ts, listAuditJobs.ts): rows carry the audit
 * tables' column names, after Universal Print's UniversalPrintJob_CL log; every column is present, null when
 * not recorded.
 */
function auditDefinitions(): Record<string, Schema> {
  const jobRow: Record<string, Schema> = {
    PrinterId: str("Printer ID", "Id of the printer."),
    PrinterName: str("Printer name", "Name of the printer when the job was recorded."),
    JobId: str("Job ID", "Id of the job."),
    JobState: str("Job state", `Job state: ${jobStates}.`),
    JobStateDetails: str("State details", "Reasons for the state, comma-separated."),
    JobStateDescription: str("State description", "Graph's description of the state."),
    ErrorCode: advanced(int("Error code", "Error code of a failed job.")),
    IsAcquiredByPrinter: advanced(bool("Acquired by printer", "Whether a printer had taken the job.")),
    CreatedDateTime: dateTime("Created", "When the job was submitted (UTC)."),
    AcknowledgedDateTime: advanced(dateTime("Acknowledged", "When the printer acknowledged the job.")),
    CreatedBy: str(
      "Submitted by",
      "User principal name of the submitter (a hash, or null, when the audit redacts users).",
    ),
    CreatedById: advanced(str("Submitter ID", "Object id of the submitter (or its hash).")),
    CreatedByName: advanced(str("Submitter name", "Display name of the submitter (null when redacted).")),
    Copies: int("Copies", "Number of copies."),
    ColorMode: str("Color mode", "Color mode of the job."),
    DuplexMode: str("Duplex mode", "Duplex mode of the job."),
    MediaSize: str("Paper size", "Paper size of the job."),
    MediaType: advanced(str("Media type", "Media type of the job.")),
    Orientation: advanced(str("Orientation", "Orientation of the job.")),
    Dpi: advanced(int("Resolution in DPI", "Resolution in dots per inch.")),
    PagesPerSheet: advanced(int("Pages per sheet", "Pages printed on each side of a sheet.")),
    Collate: advanced(bool("Collate", "Whether copies are collated.")),
    PageRanges: advanced(str("Page ranges", "Pages to print, e.g. 1-3,5.")),
    DocumentCount: advanced(int("Document count", "Number of documents.")),
    DocumentSizeInBytes: int("Document size", "Total size of the documents in bytes.", "int64"),
    DocumentNames: advanced(
      str("Document names", "Names of the documents, separated by '; ' (null when the audit omits them)."),
    ),
    RedirectedFrom: advanced(str("Redirected from", "Graph URL of the job this job was redirected from, when it was.")),
    RedirectedTo: advanced(str("Redirected to", "Graph URL of the job this job was redirected to, when it was.")),
    TaskCount: advanced(int("Task count", "Number of tasks on the job.")),
    TaskStates: advanced(str("Task states", "How many tasks are in each state, e.g. completed=2;processing=1.")),
    Sequence: advanced(int("Sequence", "Order of this record among the job's records.")),
    ObservedDateTime: dateTime("Observed", "When the audit saw the job in this state (UTC)."),
    RunId: advanced(str("Audit run ID", "Id of the audit run that recorded it.")),
    IsFetchable: advanced(bool("Fetchable", "Whether a printer could fetch the job when it was recorded.")),
    Configuration: advanced(
      str(
        "Configuration",
        "The job's whole print configuration as JSON (Graph's printJobConfiguration, keys sorted), e.g. finishings, margin, scaling.",
      ),
    ),
  };
  const taskRow: Record<string, Schema> = {
    PrinterId: str("Printer ID", "Id of the printer."),
    JobId: str("Job ID", "Id of the job."),
    TaskId: str("Task ID", "Id of the task."),
    TaskState: str("Task state", "pending, processing, completed or aborted (new values may appear)."),
    TaskDescription: str("Task state description", "Graph's description of the task's state."),
    Sequence: advanced(int("Sequence", "Order of this record among the job's records.")),
    ObservedDateTime: dateTime("Observed", "When the audit saw the task in this state (UTC)."),
    RunId: advanced(str("Audit run ID", "Id of the audit run that recorded it.")),
  };
  return {
    AuditJobRow: {
      type: "object",
      description: "One recorded state of a job, with column names after Universal Print's UniversalPrintJob_CL log.",
      required: Object.keys(jobRow),
      properties: jobRow,
    },
    AuditTaskRow: {
      type: "object",
      description: "One recorded state of a task of a job.",
      required: Object.keys(taskRow),
      properties: taskRow,
    },
    AuditTimeline: {
      type: "object",
      description: "Everything the audit recorded about one job.",
      required: ["printerId", "jobId", "printerName", "current", "states", "tasks"],
      properties: {
        printerId: { type: "string", "x-ms-summary": "Printer ID", description: "Id of the printer." },
        jobId: { type: "string", "x-ms-summary": "Job ID", description: "Id of the job." },
        printerName: str("Printer name", "Name of the printer when the job was last recorded."),
        current: ref("AuditJobRow"),
        states: {
          type: "array",
          "x-ms-summary": "States",
          description: "Every recorded state of the job, oldest first.",
          items: ref("AuditJobRow"),
        },
        tasks: {
          type: "array",
          "x-ms-summary": "Task states",
          description: "Every recorded task state, oldest first.",
          items: ref("AuditTaskRow"),
        },
      },
    },
    AuditPage: {
      type: "object",
      description: "A page of audited job records; follow @odata.nextLink (or pass continuationToken) for the next.",
      required: ["value"],
      properties: {
        value: {
          type: "array",
          "x-ms-summary": "Jobs",
          description: "The records of this page: by printer, newest job first.",
          items: ref("AuditJobRow"),
        },
        continuationToken: advanced({
          type: "string",
          "x-ms-summary": "Continuation token",
          description: "Pass as continuationToken to get the next page.",
        }),
        "@odata.nextLink": internal({ type: "string", description: "Absolute URL of the next page." }),
      },
    },
    ErasureRequest: {
      type: "object",
      description: "The person to erase from the audit.",
      required: ["user"],
      properties: {
        user: {
          type: "string",
          "x-ms-summary": "User",
          description: "The person's user principal name or Microsoft Entra object id.",
        },
      },
    },
    AuditErasure: {
      type: "object",
      description: "The record of one erasure: when, by whom, how many rows; never the person erased.",
      properties: {
        erasureId: { type: "string", "x-ms-summary": "Erasure ID", description: "Id of the erasure, for its status." },
        status: {
          type: "string",
          enum: ["running", "completed"],
          "x-ms-summary": "Status",
          description: "completed when every row of the person is erased; running while the audit finishes it.",
        },
        requestedDateTime: dateTime("Requested", "When the erasure was asked for (UTC)."),
        requestedBy: str("Requested by", "The admin key, or the signed-in principal with it, that asked."),
        completedDateTime: dateTime("Completed", "When the last row was erased (UTC)."),
        rowsChanged: int("Rows changed", "Rows erased in every audit table (jobs, tasks, current state)."),
      },
    },
  };
}

/**
 * The events feed and the polling triggers' answers (src/functions/listAuditEvents.ts, onPrintJobFinished.ts,
 * onPrinterFailing.ts, listAuditedPrinters.ts): an event is a job history row with its feed id.
 */
function eventDefinitions(): Record<string, Schema> {
  const jobRow = auditDefinitions().AuditJobRow!;
  const eventProperties: Record<string, Schema> = {
    EventId: advanced(str("Event ID", "Id of the event in the feed: observation time, printer and record key.")),
    ...(jobRow.properties as Record<string, Schema>),
  };
  const text = (summary: string, description: string): Schema => ({
    type: "string",
    "x-ms-summary": summary,
    description,
  });
  const alert: Record<string, Schema> = {
    AlertId: advanced(text("Alert ID", "Id of the alert: the event of the aborted job that reached the threshold.")),
    PrinterId: text("Printer ID", "Id of the printer."),
    PrinterName: str("Printer name", "Name of the printer when its last aborted job was recorded."),
    AbortedJobs: {
      type: "integer",
      format: "int32",
      "x-ms-summary": "Aborted jobs",
      description: "Distinct aborted jobs of the printer within the window.",
    },
    Window: text("Window", "The window the jobs were counted in, as an ISO-8601 duration."),
    FirstAbortedDateTime: {
      type: "string",
      format: "date-time",
      "x-ms-summary": "First aborted",
      description: "When the audit saw the window's first aborted job (UTC).",
    },
    LastAbortedDateTime: {
      type: "string",
      format: "date-time",
      "x-ms-summary": "Last aborted",
      description: "When the audit saw the aborted job that reached the threshold (UTC).",
    },
    JobIds: text("Job IDs", "Ids of the aborted jobs in the window, comma-separated, oldest first."),
    ErrorCodes: str("Error codes", "Error codes of the aborted jobs in the window, latest first, comma-separated."),
    LastJobId: text("Last job ID", "Id of the aborted job that reached the threshold."),
    LastErrorCode: int("Last error code", "Error code of that job."),
  };
  return {
    AuditEvent: {
      type: "object",
      description: "One state of a job as the audit observed it, with the columns of a job history record.",
      required: Object.keys(eventProperties),
      properties: eventProperties,
    },
    AuditEventPage: {
      type: "object",
      description: "Events in the order the audit observed them; pass cursor later to read what came after.",
      required: ["value", "cursor"],
      properties: {
        value: {
          type: "array",
          "x-ms-summary": "Events",
          description: "The events of this page, oldest first.",
          items: ref("AuditEvent"),
        },
        cursor: advanced({
          type: "string",
          "x-ms-summary": "Cursor",
          description: "Pass as cursor to read the events after this page, now or later.",
        }),
        "@odata.nextLink": internal({
          type: "string",
          description: "Absolute URL of the next page, when more events are readable now.",
        }),
      },
    },
    FinishedJobs: {
      type: "object",
      description: "Print jobs that reached one of the chosen end states since the last poll.",
      required: ["value"],
      properties: {
        value: {
          type: "array",
          "x-ms-summary": "Finished jobs",
          description: "The finished jobs, oldest first.",
          items: ref("AuditEvent"),
        },
      },
    },
    PrinterFailingAlert: {
      type: "object",
      description: "A printer reached the number of aborted jobs within the window.",
      required: Object.keys(alert),
      properties: alert,
    },
    PrinterFailingAlerts: {
      type: "object",
      description: "Printers that kept failing since the last poll.",
      required: ["value"],
      properties: {
        value: {
          type: "array",
          "x-ms-summary": "Alerts",
          description: "One alert per printer that reached the threshold, oldest first.",
          items: ref("PrinterFailingAlert"),
        },
      },
    },
    AuditedPrinters: {
      type: "object",
      description: "The printers the audit records.",
      required: ["value"],
      properties: {
        value: {
          type: "array",
          "x-ms-summary": "Printers",
          description: "Each audited printer with its latest recorded name.",
          items: {
            type: "object",
            required: ["id", "displayName"],
            properties: {
              id: text("Printer ID", "Id of the printer."),
              displayName: text("Printer name", "Latest recorded name of the printer, or its id."),
            },
          },
        },
      },
    },
  };
}

// ---- parameters ------------------------------------------------------------------------------------------

const parameters: Record<string, Schema> = {
  printerId: {
    name: "printerId",
    in: "path",
    required: true,
    type: "string",
    format: "uuid",
    "x-ms-summary": "Printer ID",
    description: "Id (GUID) of the Universal Print printer, from the Universal Print portal or Graph.",
    "x-ms-url-encoding": "single",
  },
  shareId: {
    name: "shareId",
    in: "path",
    required: true,
    type: "string",
    format: "uuid",
    "x-ms-summary": "Printer share ID",
    description: "Id (GUID) of the printer share the job was submitted to.",
    "x-ms-url-encoding": "single",
  },
  jobId: {
    name: "jobId",
    in: "path",
    required: true,
    type: "string",
    pattern: "^[A-Za-z0-9-]{1,64}$",
    "x-ms-summary": "Job ID",
    description: "Id of the print job, e.g. 5182.",
    "x-ms-url-encoding": "single",
  },
  select: {
    name: "$select",
    in: "query",
    required: false,
    type: "string",
    "x-ms-summary": "Properties",
    description: "Comma-separated job properties to return, e.g. id,status,createdBy. Empty: all.",
    "x-ms-visibility": "advanced",
  },
  expand: {
    name: "$expand",
    in: "query",
    required: false,
    type: "string",
    enum: ["tasks", "documents", "tasks,documents"],
    "x-ms-summary": "Include",
    description: "Also return the job's tasks, its documents, or both.",
    "x-ms-visibility": "advanced",
  },
  timeout: {
    name: "timeout",
    in: "query",
    required: false,
    type: "string",
    default: "PT1H",
    "x-ms-summary": "Timeout",
    description:
      "How long to wait, as an ISO-8601 duration: PT10M, PT1H (default) … PT24H at most. Then the action fails with 504.",
    "x-ms-visibility": "important",
  },
  deadline: {
    name: "deadline",
    in: "query",
    required: false,
    type: "string",
    format: "date-time",
    "x-ms-summary": "Deadline",
    description: "Set by the app in the Location it returns while the job runs; do not set it yourself.",
    "x-ms-visibility": "internal",
  },
  auditPrinterId: {
    name: "printerId",
    in: "query",
    required: false,
    type: "string",
    format: "uuid",
    "x-ms-summary": "Printer ID",
    description: "Only jobs of this printer.",
  },
  from: {
    name: "from",
    in: "query",
    required: false,
    type: "string",
    "x-ms-summary": "From",
    description:
      "Jobs created at or after this time: an ISO-8601 date (2026-11-24, from its start) or date-time with a zone (2026-11-24T08:00:00Z).",
  },
  to: {
    name: "to",
    in: "query",
    required: false,
    type: "string",
    "x-ms-summary": "To",
    description: "Jobs created at or before this time: an ISO-8601 date (to its end) or date-time with a zone.",
  },
  state: {
    name: "state",
    in: "query",
    required: false,
    type: "string",
    "x-ms-summary": "Job state",
    description: "Only jobs whose last recorded state is this, e.g. aborted.",
    "x-ms-visibility": "advanced",
  },
  user: {
    name: "user",
    in: "query",
    required: false,
    type: "string",
    "x-ms-summary": "Submitted by",
    description: "Only jobs of this user (user principal name or object id).",
    "x-ms-visibility": "advanced",
  },
  top: {
    name: "top",
    in: "query",
    required: false,
    type: "integer",
    format: "int32",
    minimum: 1,
    maximum: 1000,
    "x-ms-summary": "Page size",
    description: "Records per page (1-1000, default 100).",
    "x-ms-visibility": "advanced",
  },
  format: {
    name: "format",
    in: "query",
    required: false,
    type: "string",
    enum: ["json", "csv"],
    default: "json",
    "x-ms-summary": "Format",
    description: "csv returns the whole filtered history as a CSV file (text/csv) instead of a JSON page.",
    "x-ms-visibility": "internal",
  },
  latest: {
    name: "latest",
    in: "query",
    required: false,
    type: "boolean",
    default: false,
    "x-ms-summary": "Latest state only",
    description:
      "true lists each job once, in its latest recorded state (newest job first); false lists every recorded state.",
    "x-ms-visibility": "advanced",
  },
  continuationToken: {
    name: "continuationToken",
    in: "query",
    required: false,
    type: "string",
    "x-ms-summary": "Continuation token",
    description: "From the previous page, to get the next one.",
    "x-ms-visibility": "advanced",
  },
  summaryFrom: {
    name: "from",
    in: "query",
    required: false,
    type: "string",
    format: "date",
    "x-ms-summary": "From day",
    description: "First UTC day (2026-11-01). Default: 30 days before To.",
  },
  summaryTo: {
    name: "to",
    in: "query",
    required: false,
    type: "string",
    format: "date",
    "x-ms-summary": "To day",
    description: "Last UTC day, included (2026-11-30); at most 366 days after From. Default: today.",
  },
  summaryTop: {
    name: "top",
    in: "query",
    required: false,
    type: "integer",
    format: "int32",
    minimum: 1,
    maximum: 100,
    "x-ms-summary": "Busiest people",
    description: "How many of the busiest people to list (1-100, default 10).",
    "x-ms-visibility": "advanced",
  },
  ...eventParameters(),
};

/** The events feed's and the triggers' query options. */
function eventParameters(): Record<string, Schema> {
  const query = (name: string, summary: string, description: string, extra: Schema = {}): Schema => ({
    name,
    in: "query",
    required: false,
    type: "string",
    "x-ms-summary": summary,
    description,
    ...extra,
  });
  return {
    eventPrinterId: query("printerId", "Printer ID", "Only events of this printer.", { format: "uuid" }),
    eventStates: query("state", "Job states", "Only events in these states, comma-separated, e.g. aborted,canceled.", {
      "x-ms-visibility": "advanced",
    }),
    eventCursor: query("cursor", "Cursor", "The cursor of a previous answer: read the events after it.", {
      "x-ms-visibility": "advanced",
    }),
    since: query(
      "since",
      "Since",
      "Without a cursor: start at this time, an ISO-8601 date-time with a zone. Neither: from the oldest event kept.",
      {
        format: "date-time",
        "x-ms-visibility": "advanced",
      },
    ),
    triggerPrinterId: query("printerId", "Printer", "The printer to watch. Empty: every audited printer.", {
      "x-ms-visibility": "important",
      "x-ms-dynamic-values": {
        operationId: "ListAuditedPrinters",
        "value-collection": "value",
        "value-path": "id",
        "value-title": "displayName",
      },
    }),
    endStates: query(
      "states",
      "End states",
      "Which ends to report: completed, canceled, aborted, comma-separated (default aborted,canceled).",
      {
        default: "aborted,canceled",
        enum: ["aborted,canceled", "aborted", "canceled", "completed", "completed,canceled,aborted"],
        "x-ms-visibility": "important",
      },
    ),
    triggerUser: query("user", "Submitted by", "Only jobs of this user (user principal name or object id).", {
      "x-ms-visibility": "advanced",
    }),
    triggerCursor: query(
      "cursor",
      "Trigger state",
      "Set by the app in the Location it returns; do not set it yourself.",
      { "x-ms-visibility": "internal" },
    ),
    threshold: {
      name: "threshold",
      in: "query",
      required: false,
      type: "integer",
      format: "int32",
      minimum: 2,
      maximum: 100,
      default: 3,
      "x-ms-summary": "Aborted jobs",
      description: "How many distinct aborted jobs within the window make a printer failing (2-100, default 3).",
      "x-ms-visibility": "important",
    },
    window: query(
      "window",
      "Window",
      "The window the aborted jobs are counted in, as an ISO-8601 duration from PT1M to P1D (default PT1H).",
      {
        default: "PT1H",
        "x-ms-visibility": "important",
      },
    ),
  };
}
parameters.erasureId = {
  name: "erasureId",
  in: "path",
  required: true,
  type: "string",
  "x-ms-summary": "Erasure ID",
  description: "Id of an erasure, as the erase action returned it.",
  "x-ms-url-encoding": "single",
};

const p = (name: keyof typeof parameters): Schema => ({ $ref: `#/parameters/${name}` });

// ---- responses -------------------------------------------------------------------------------------------

const requestIdHeader = {
  "x-request-id": { type: "string", description: "This call's id; it appears in the app's logs." },
};
const graphRequestIdHeader = { "x-graph-request-id": { type: "string", description: "Microsoft Graph's request-id." } };
const jobPathHeader = {
  "x-print-job-path": {
    type: "string",
    enum: ["printer", "share", "printer-via-share"],
    description:
      "The Graph path that served the job: printer, share, or printer-via-share when Graph refused the share path to the app and the share's printer was read instead.",
  },
};
const retryAfterHeader = { "retry-after": { type: "integer", description: "Seconds to wait before trying again." } };

const errorResponse = (description: string, headers: Record<string, Schema> = {}): Schema => ({
  description,
  schema: ref("Error"),
  headers: { ...requestIdHeader, ...headers },
});

/** Answers every function operation can give besides its successes. */
const commonErrors: Record<string, Schema> = {
  "400": errorResponse("The request is invalid; error.target names the part."),
  "401": {
    description:
      "The function key (x-functions-key) or the Entra token is missing or wrong. Answered by the platform, with no body.",
  },
  "403": errorResponse(
    "Microsoft Graph denied the app's managed identity (grant PrintJob.ReadBasic.All and Printer.Read.All).",
  ),
  "404": errorResponse("No such job, printer or share."),
  "429": errorResponse("Microsoft Graph is throttling the app; retry after Retry-After.", retryAfterHeader),
  "500": errorResponse("The app failed or is misconfigured."),
  "502": errorResponse("Microsoft Graph failed or answered something unreadable."),
  "503": errorResponse("Microsoft Graph or the managed identity is unavailable; retry later.", retryAfterHeader),
  "504": errorResponse("Microsoft Graph did not answer in time."),
  default: errorResponse("An error."),
};

const jobResponse = (description: string): Schema => ({
  description,
  schema: ref("PrintJob"),
  headers: { ...requestIdHeader, ...graphRequestIdHeader, ...jobPathHeader },
});

function getJobOperation(parent: "printer" | "share"): Schema {
  const printer = parent === "printer";
  return {
    operationId: printer ? "GetPrinterJob" : "GetShareJob",
    summary: printer ? "Get print job" : "Get print job through a share",
    description: printer
      ? "Reads one print job of a Universal Print printer from Microsoft Graph: its state, settings, submitter, and optionally tasks and documents."
      : "Reads one print job through the printer share it was submitted to: its state, settings, submitter, and optionally tasks and documents. " +
        "Where Graph refuses the share path to the app, the job is read through the share's printer (the X-Print-Job-Path header says which).",
    "x-ms-visibility": printer ? "important" : "advanced",
    tags: ["Print jobs"],
    parameters: [p(printer ? "printerId" : "shareId"), p("jobId"), p("select"), p("expand")],
    responses: { "200": jobResponse("The print job."), ...commonErrors },
  };
}

function waitOperation(parent: "printer" | "share"): Schema {
  const printer = parent === "printer";
  return {
    operationId: printer ? "WaitForPrinterJob" : "WaitForShareJob",
    summary: printer ? "Wait for print job to finish" : "Wait for print job to finish through a share",
    description:
      "Waits until the print job is completed, canceled or aborted, then returns it. While it runs the app answers 202 with Location and " +
      "Retry-After, and Power Automate polls by itself; after the timeout the action fails with 504 (error.code completionTimeout, " +
      "error.lastState the job's last state).",
    "x-ms-visibility": printer ? "important" : "advanced",
    tags: ["Print jobs"],
    parameters: [p(printer ? "printerId" : "shareId"), p("jobId"), p("timeout"), p("expand"), p("deadline")],
    responses: {
      "200": jobResponse("The job reached a final state (status.state is completed, canceled or aborted)."),
      "202": {
        description: "The job is still running; poll Location after Retry-After seconds.",
        schema: ref("CompletionPending"),
        headers: {
          location: {
            type: "string",
            description: "The URL to poll next (carries the deadline; never the function key).",
          },
          ...retryAfterHeader,
          ...requestIdHeader,
          ...graphRequestIdHeader,
          ...jobPathHeader,
        },
      },
      ...commonErrors,
      "504": errorResponse(
        "The timeout passed before the job finished (error.code completionTimeout, error.lastState), or Graph did not answer in time.",
      ),
    },
  };
}

const paths: Record<string, Record<string, Schema>> = {
  "/printers/{printerId}/jobs/{jobId}": { get: getJobOperation("printer") },
  "/shares/{shareId}/jobs/{jobId}": { get: getJobOperation("share") },
  "/printers/{printerId}/jobs/{jobId}/completion": { get: waitOperation("printer") },
  "/shares/{shareId}/jobs/{jobId}/completion": { get: waitOperation("share") },
  "/audit/printers/{printerId}/jobs/{jobId}": {
    get: {
      operationId: "GetJobAuditTimeline",
      summary: "Get job audit timeline",
      description:
        "Everything the audit recorded about one job: its current record, every state it was seen in, and its task states, oldest first.",
      "x-ms-visibility": "important",
      tags: ["Audit"],
      parameters: [p("printerId"), p("jobId")],
      responses: {
        "200": { description: "The job's recorded timeline.", schema: ref("AuditTimeline"), headers: requestIdHeader },
        ...commonErrors,
      },
    },
  },
  "/audit/jobs": {
    get: {
      operationId: "ListAuditJobs",
      summary: "List audited print jobs",
      description:
        "Recorded job states filtered by printer, creation time, state and user, a page at a time (turn on Pagination in the action's settings to get more).",
      "x-ms-visibility": "important",
      "x-ms-pageable": { nextLinkName: "@odata.nextLink" },
      tags: ["Audit"],
      produces: ["application/json", "text/csv"],
      parameters: [
        p("auditPrinterId"),
        p("from"),
        p("to"),
        p("state"),
        p("user"),
        p("top"),
        p("latest"),
        p("continuationToken"),
        p("format"),
      ],
      responses: {
        "200": {
          description: "A page of audited job records (or, with format=csv, a CSV file).",
          schema: ref("AuditPage"),
          headers: requestIdHeader,
        },
        ...commonErrors,
      },
    },
  },
  "/openapi.json": {
    get: {
      operationId: "GetOpenApiDefinition",
      summary: "Get the OpenAPI definition",
      description: "This definition, with the host it is served from. Anonymous: it holds no data.",
      "x-ms-visibility": "internal",
      tags: ["Meta"],
      security: [],
      produces: ["application/json"],
      responses: {
        "200": { description: "The OpenAPI 2.0 definition.", schema: { type: "object" }, headers: requestIdHeader },
      },
    },
  },
  ...eventPaths(),
  "/audit/erasures": {
    post: {
      operationId: "EraseAuditUser",
      summary: "Erase a person from the audit",
      description:
        "For a request to be forgotten: replaces the person's user id, UPN, display name and document names with erased in every audit row, " +
        "and their mentions in status texts, keeping the job facts; later jobs of the person are stored erased too. Needs the admin (master) key.",
      "x-ms-visibility": "advanced",
      tags: ["Audit"],
      consumes: ["application/json"],
      parameters: [
        {
          name: "body",
          in: "body",
          required: true,
          "x-ms-summary": "Person",
          description: "Who to erase.",
          schema: ref("ErasureRequest"),
        },
      ],
      responses: {
        "200": {
          description: "Every row of the person is erased; rowsChanged says how many.",
          schema: ref("AuditErasure"),
          headers: requestIdHeader,
        },
        "202": {
          description: "Erasure started and continues in the background; poll Location after Retry-After seconds.",
          schema: ref("AuditErasure"),
          headers: {
            location: { type: "string", description: "The status of this erasure." },
            ...retryAfterHeader,
            ...requestIdHeader,
          },
        },
        ...commonErrors,
      },
    },
  },
  "/audit/erasures/{erasureId}": {
    get: {
      operationId: "GetAuditErasure",
      summary: "Get erasure status",
      description:
        "The record of one erasure: its status, when and by whom it was asked, and how many rows it changed so far.",
      "x-ms-visibility": "advanced",
      tags: ["Audit"],
      parameters: [p("erasureId")],
      responses: {
        "200": { description: "The erasure's record.", schema: ref("AuditErasure"), headers: requestIdHeader },
        ...commonErrors,
      },
    },
  },
  "/audit/summaries": {
    get: {
      operationId: "GetAuditSummaries",
      summary: "Get daily audit summaries",
      description:
        "Jobs per state per UTC day, per printer (with aborted and canceled) and the busiest people, counted when the jobs were recorded.",
      "x-ms-visibility": "advanced",
      tags: ["Audit"],
      parameters: [p("summaryFrom"), p("summaryTo"), p("auditPrinterId"), p("summaryTop")],
      responses: {
        "200": {
          description: "The daily summaries of the range.",
          schema: ref("AuditSummaries"),
          headers: requestIdHeader,
        },
        ...commonErrors,
      },
    },
  },
};

/** The events feed, the printer picker and the two polling triggers (Power Platform's polling protocol: 202 + Location, then 200 with new items). */
function eventPaths(): Record<string, Record<string, Schema>> {
  const pollHeaders = {
    location: {
      type: "string",
      description: "The URL of the next poll, with the trigger's state (never the function key).",
    },
    ...retryAfterHeader,
    ...requestIdHeader,
  };
  const trigger = (
    operationId: string,
    summary: string,
    description: string,
    hint: string,
    parameters: Schema[],
    schema: string,
    items: string,
  ): Schema => ({
    operationId,
    summary,
    description,
    "x-ms-visibility": "important",
    "x-ms-trigger": "batch",
    "x-ms-trigger-hint": hint,
    "x-ms-trigger-metadata": { kind: "query", mode: "polling" },
    tags: ["Audit"],
    parameters,
    responses: {
      "200": {
        description: `New ${items} since the last poll; Location holds the advanced state.`,
        schema: ref(schema),
        headers: pollHeaders,
      },
      "202": {
        description: `Nothing new (or the first poll): poll Location after Retry-After seconds.`,
        headers: pollHeaders,
      },
      ...commonErrors,
    },
  });
  return {
    "/audit/events": {
      get: {
        operationId: "ListAuditEvents",
        summary: "List audit events",
        description:
          "What the audit observed, in the order it observed it, after a cursor: each a job's new state. Resume later with the cursor of the answer.",
        "x-ms-visibility": "advanced",
        "x-ms-pageable": { nextLinkName: "@odata.nextLink" },
        tags: ["Audit"],
        parameters: [p("eventPrinterId"), p("eventStates"), p("user"), p("top"), p("eventCursor"), p("since")],
        responses: {
          "200": {
            description: "A page of events, oldest first, and the cursor after it.",
            schema: ref("AuditEventPage"),
            headers: requestIdHeader,
          },
          ...commonErrors,
        },
      },
    },
    "/audit/printers": {
      get: {
        operationId: "ListAuditedPrinters",
        summary: "List audited printers",
        description: "The printers the audit records, with their latest recorded names (the triggers' printer picker).",
        "x-ms-visibility": "internal",
        tags: ["Audit"],
        parameters: [],
        responses: {
          "200": { description: "The audited printers.", schema: ref("AuditedPrinters"), headers: requestIdHeader },
          ...commonErrors,
        },
      },
    },
    "/audit/triggers/jobFinished": {
      get: trigger(
        "OnPrintJobFinished",
        "When a print job finishes",
        "Starts the flow for each print job the audit sees reaching one of the chosen end states (aborted and canceled by default).",
        "To see it work now, cancel a print job; the next audit run records it.",
        [p("triggerPrinterId"), p("endStates"), p("triggerUser"), p("triggerCursor")],
        "FinishedJobs",
        "finished jobs",
      ),
    },
    "/audit/triggers/printerFailing": {
      get: trigger(
        "OnPrinterFailing",
        "When a printer keeps failing",
        "Starts the flow when a printer has the chosen number of aborted jobs within the window (3 within an hour by default).",
        "To see it work now, let a printer abort three jobs; the next audit run records them.",
        [p("triggerPrinterId"), p("threshold"), p("window"), p("triggerCursor")],
        "PrinterFailingAlerts",
        "alerts",
      ),
    },
  };
}

// ---- document --------------------------------------------------------------------------------------------

const minorWords = new Set(["a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"]);

/** Power Platform shows x-ms-summary as a title: Title Case, minor words lower-case (but the first). */
export function titleCase(text: string): string {
  return text
    .split(" ")
    .map((word, i) =>
      i > 0 && minorWords.has(word.toLowerCase()) ? word.toLowerCase() : word.replace(/^[a-z]/, (c) => c.toUpperCase()),
    )
    .join(" ");
}

function withTitleCaseSummaries<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withTitleCaseSummaries) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === "x-ms-summary" && typeof v === "string" ? titleCase(v) : withTitleCaseSummaries(v),
    ]),
  ) as T;
}

export function buildOpenApiDefinition(options: DefinitionOptions): Schema {
  return {
    swagger: "2.0",
    info: {
      title: "Universal Print Jobs",
      version: "1.0",
      description:
        "Read Microsoft Universal Print jobs with the function app's managed identity, wait for a job to finish, and read the job audit.",
      contact: { name: "Universal Print Jobs maintainers" },
      license: { name: "MIT", url: "https://opensource.org/license/mit" },
    },
    host: options.host,
    basePath: options.basePath ?? "/api",
    schemes: options.schemes ?? ["https"],
    consumes: [],
    produces: ["application/json"],
    paths: withTitleCaseSummaries(paths),
    definitions: withTitleCaseSummaries(definitions),
    parameters: withTitleCaseSummaries(parameters),
    ...securityFor(options.auth ?? { kind: "key" }),
    tags: [
      { name: "Audit", description: "The job history the app recorded in Azure Table Storage." },
      { name: "Meta", description: "About the API itself." },
      { name: "Print jobs", description: "Live jobs from Microsoft Graph." },
    ],
    "x-ms-connector-metadata": [
      { propertyName: "Website", propertyValue: "https://learn.microsoft.com/universal-print/" },
      { propertyName: "Categories", propertyValue: "IT Operations;Productivity" },
    ],
  };
}

/** The host, basePath and scheme the definition should name for an API reached at this base (e.g. https://x/api). */
export function definitionOptionsFor(apiBaseUrl: string): DefinitionOptions {
  const url = new URL(apiBaseUrl);
  return {
    host: url.host,
    basePath: url.pathname.replace(/\/+$/, "") || "/",
    schemes: [url.protocol.replace(":", "")],
  };
}

function securityFor(auth: ConnectorAuth): Schema {
  if (auth.kind === "key") {
    return {
      securityDefinitions: {
        functionKey: {
          type: "apiKey",
          in: "header",
          name: "x-functions-key",
          description:
            "A function key (or the host key) of the function app: Azure portal > the function app > App keys.",
        },
      },
      security: [{ functionKey: [] }],
    };
  }
  const authority = `https://login.microsoftonline.com/${encodeURIComponent(auth.tenant)}/oauth2`;
  return {
    securityDefinitions: {
      entra: {
        type: "oauth2",
        flow: "accessCode",
        authorizationUrl: `${authority}/authorize`,
        tokenUrl: `${authority}/token`,
        scopes: {},
        description:
          "Microsoft Entra ID, for a function app deployed with enableEntraAuth=true (App Service authentication).",
      },
    },
    security: [{ entra: [] }],
  };
}

/** Operations whose answers carry a next-page link (x-ms-pageable), with that link's property name. */
export function pageableOperationIds(): { operationId: string; nextLinkName: string }[] {
  return Object.values(paths).flatMap((methods) =>
    Object.values(methods)
      .filter((op) => op["x-ms-pageable"] !== undefined)
      .map((op) => ({
        operationId: op.operationId as string,
        nextLinkName: (op["x-ms-pageable"] as { nextLinkName: string }).nextLinkName,
      })),
  );
}

/**
 * Power Platform's connector properties (connector/apiProperties.json) for one way to sign in. Every
 * pageable operation gets an updatenextlink policy: it rewrites the absolute nextLink onto the connection,
 * so page 2 is sent through the connector with the connection's key (or token) like page 1.
 */
export function buildApiProperties(auth: ConnectorAuth = { kind: "key" }): Schema {
  const functionKey = {
    type: "securestring",
    uiDefinition: {
      displayName: "Function key",
      description:
        "A function key of the function app (Azure portal > the function app > App keys). Sent as the x-functions-key header.",
      tooltip: "Sent in the x-functions-key header, never in the URL.",
      constraints: { tabIndex: 2, clearText: false, required: "true" },
    },
  };
  const byNextLink = new Map<string, string[]>();
  for (const { operationId, nextLinkName } of pageableOperationIds())
    byNextLink.set(nextLinkName, [...(byNextLink.get(nextLinkName) ?? []), operationId]);
  const paging = [...byNextLink].map(([nextLinkName, operations]) => ({
    templateId: "updatenextlink",
    title: "Send next-page links through the connection",
    parameters: {
      "x-ms-apimTemplate-operationName": operations,
      "x-ms-apimTemplateParameter.nextLinkPropertyName": nextLinkName,
    },
  }));
  const common = { iconBrandColor: "#0078D4", capabilities: [], publisher: "Universal Print Jobs" };
  if (auth.kind === "key") {
    return {
      properties: { ...common, connectionParameters: { api_key: functionKey }, policyTemplateInstances: paging },
    };
  }
  return {
    properties: {
      ...common,
      connectionParameters: {
        // "token" is the name paconn looks for to put the --secret into.
        token: {
          type: "oauthSetting",
          oAuthSettings: {
            identityProvider: "aad",
            clientId: auth.clientId,
            scopes: [],
            // Power Platform makes the per-connector redirect URL at creation (shown on the Security tab).
            redirectMode: "GlobalPerConnector",
            properties: { IsFirstParty: "False", AzureActiveDirectoryResourceId: auth.resource },
            customParameters: {
              loginUri: { value: "https://login.microsoftonline.com" },
              tenantId: { value: auth.tenant },
              resourceUri: { value: auth.resource },
            },
          },
          uiDefinition: {
            displayName: "Sign in with Microsoft Entra ID",
            description: "Sign in with your work account.",
            constraints: { required: "true" },
          },
        },
        api_key: functionKey,
      },
      policyTemplateInstances: [
        // The OAuth connection has no api_key security binding of its own: this policy sends its function key.
        {
          templateId: "setheader",
          title: "Send the function key",
          parameters: {
            "x-ms-apimTemplateParameter.name": "x-functions-key",
            "x-ms-apimTemplateParameter.value": "@connectionParameters('api_key')",
            "x-ms-apimTemplateParameter.existsAction": "override",
            "x-ms-apimTemplate-policySection": "Request",
          },
        },
        ...paging,
      ],
    },
  };
}
