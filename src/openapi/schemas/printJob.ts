/** A Universal Print job as Microsoft Graph returns it (GET job), and the wait's answer while it runs. */
import {
  advanced,
  bool,
  count,
  dateTime,
  field,
  int,
  internal,
  jobStates,
  taskStates,
  listOf,
  ref,
  str,
  text,
  type Schema,
} from "../schema";

export const printJobDefinitions: Record<string, Schema> = {
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
      state: str("Task state", `${taskStates}.`),
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
      jobId: text("Job ID", "Id of the job."),
      state: text("Job state", `Current state: ${jobStates}.`),
      description: text("State description", "A sentence describing the state."),
      deadline: field({ type: "string", format: "date-time" }, "Deadline", "When the wait gives up (UTC)."),
      timeout: text("Timeout", "The timeout asked for, as an ISO-8601 duration."),
      retryAfterSeconds: count("Retry after seconds", "Seconds until the next poll."),
    },
  },
};
