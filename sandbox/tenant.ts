/**
 * Tenants for the simulator: the seed page's example job exactly as documented, and generated printers
 * and jobs for tests, the sandbox and benchmarks.
 */
import { type PrintJob } from "../src/graph/types";
import { graphHost } from "./graph/answers";
import { type UniversalPrintSimulator } from "./graph/simulator";

/** The printer and job of the seed page's three examples (shared/seed/get-printjob.zh.txt). */
export const seedPrinterId = "c05f3726-0d4b-4aa1-8fe9-2eb981bb26fb";
export const seedJobId = "5182";
export const seedShareId = "a1b2c3d4-0000-4000-8000-00000000c05f";

const seedBase = {
  "@odata.context": `${graphHost}/v1.0/$metadata#print/printers('${seedPrinterId}')/jobs/$entity`,
  id: "5182",
  createdDateTime: "2020-02-04T00:00:00.0000000Z",
  createdBy: {
    id: "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
    displayName: "John Smith",
    userPrincipalName: "john.smith@contoso.com",
  },
  configuration: {},
  status: {
    state: "completed",
    description: "The print job has completed successfully and no further processing will take place.",
    details: [],
    isAcquiredByPrinter: true,
  },
  redirectedTo: null,
  redirectedFrom: null,
  isFetchable: false,
};

/** The seed's example responses, field for field: GET job, ?$expand=tasks, ?$expand=documents. */
export const seedExamples = {
  job: seedBase,
  jobWithTasks: {
    ...seedBase,
    tasks: [
      {
        id: "d036638b-1272-4bba-9227-732463823ed3",
        parentUrl: `${graphHost}/v1.0/print/printers/${seedPrinterId}/jobs/5182`,
        status: { state: "processing", description: "The task is being processed." },
      },
    ],
  },
  jobWithDocuments: {
    ...seedBase,
    documents: [
      { id: "ca96c367-c3ad-478a-bbce-fbd1cd856e73", displayName: "", contentType: "application/oxps", size: 276604 },
    ],
  },
} as const;

/** Adds the seed's printer (shared as seedShareId) and job 5182 with its task and document. */
export function addSeedPrinter(sim: UniversalPrintSimulator): void {
  sim.addPrinter(
    { id: seedPrinterId, displayName: "Contoso HQ 3rd floor", manufacturer: "Contoso", model: "LaserJet 9000" },
    seedShareId,
  );
  const { "@odata.context": _context, ...job } = seedExamples.jobWithTasks;
  sim.addJob(
    seedPrinterId,
    structuredClone({ ...job, documents: seedExamples.jobWithDocuments.documents }) as unknown as PrintJob & {
      id: string;
    },
  );
}

const users = [
  {
    id: "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
    displayName: "John Smith",
    userPrincipalName: "john.smith@contoso.com",
  },
  { id: "2f6b1c4e-9a51-4a3c-8a53-0d5a0a1f7c21", displayName: "Pat Kim", userPrincipalName: "pat.kim@contoso.com" },
  { id: "c3e0f0aa-77d1-4b8e-9e5e-3a1b2c3d4e5f", displayName: "Ana Souza", userPrincipalName: "ana.souza@contoso.com" },
  { id: "5a8e1d2c-0b9f-4e3a-8c7d-6f5e4d3c2b1a", displayName: "Li Wei", userPrincipalName: "li.wei@contoso.com" },
];

const states = ["pending", "processing", "paused", "stopped", "completed", "canceled", "aborted"] as const;

/** A deterministic printer GUID for index i. */
export function printerIdFor(i: number): string {
  const hex = i.toString(16).padStart(12, "0");
  return `7e57a000-0000-4000-8000-${hex}`;
}

export interface GeneratedJobOptions {
  state?: string;
  tasks?: number;
  userIndex?: number;
  createdDateTime?: string;
  redirectedTo?: string | null;
  redirectedFrom?: string | null;
  description?: string;
}

/** A plausible printJob as Graph sends it in a list (documents omitted unless expanded). */
export function makeJob(
  printerId: string,
  jobNumber: number,
  options: GeneratedJobOptions = {},
): PrintJob & { id: string } {
  const id = String(jobNumber);
  const state = options.state ?? states[jobNumber % states.length]!;
  const user = users[(options.userIndex ?? jobNumber) % users.length]!;
  const created =
    options.createdDateTime ?? new Date(Date.UTC(2026, 10, 20, 8, 0, 0) + jobNumber * 60_000).toISOString();
  const tasks = Array.from({ length: options.tasks ?? 0 }, (_, t) => ({
    id: `${(jobNumber * 1000 + t).toString(16).padStart(8, "0")}-1272-4bba-9227-732463823ed3`,
    parentUrl: `${graphHost}/v1.0/print/printers/${printerId}/jobs/${id}`,
    status: { state: state === "completed" ? "completed" : "processing", description: "The task is being processed." },
  }));
  return {
    id,
    createdDateTime: created,
    createdBy: { ...user },
    configuration: {
      copies: 1 + (jobNumber % 3),
      colorMode: jobNumber % 2 === 0 ? "blackAndWhite" : "color",
      duplexMode: jobNumber % 2 === 0 ? "flipOnLongEdge" : "oneSided",
      mediaSize: "A4",
      pageRanges: [{ start: 1, end: 1 + (jobNumber % 5) }],
    },
    status: {
      state,
      description: options.description ?? `The print job is ${state}.`,
      details: state === "completed" ? ["completedSuccessfully"] : [],
      isAcquiredByPrinter: ["processing", "completed", "aborted"].includes(state),
    },
    errorCode: state === "aborted" ? 4 : null,
    acknowledgedDateTime: state === "completed" ? new Date(Date.parse(created) + 30_000).toISOString() : null,
    redirectedTo: options.redirectedTo ?? null,
    redirectedFrom: options.redirectedFrom ?? null,
    isFetchable: state === "pending",
    documents: [
      {
        id: `d0c${id.padStart(5, "0")}-0000-4000-8000-000000000000`,
        displayName: `Report ${id}.pdf`,
        contentType: "application/pdf",
        size: 10_000 + jobNumber,
      },
    ],
    tasks,
  };
}

export interface TenantOptions {
  printers: number;
  jobsPerPrinter: number;
  tasksPerJob?: number;
  /** Job ids restart at 1 on every printer (Graph's ids are unique only within a printer). */
  firstJobNumber?: number;
}

/** Adds generated printers and jobs; returns the printer ids. */
export function addGeneratedTenant(sim: UniversalPrintSimulator, options: TenantOptions): string[] {
  const ids: string[] = [];
  for (let p = 1; p <= options.printers; p++) {
    const printerId = printerIdFor(p);
    ids.push(printerId);
    sim.addPrinter({ id: printerId, displayName: `Printer ${p}`, manufacturer: "Contoso", model: "Model P" });
    for (let j = 0; j < options.jobsPerPrinter; j++) {
      sim.addJob(printerId, makeJob(printerId, (options.firstJobNumber ?? 1) + j, { tasks: options.tasksPerJob ?? 0 }));
    }
  }
  return ids;
}

/** Demo printers for the sandbox: every job state, a redirected job, jobs with tasks. Returns the printer ids. */
export function addDemoTenant(sim: UniversalPrintSimulator): string[] {
  addSeedPrinter(sim);
  const names = ["Lobby colour MFP", "Finance 2nd floor", "Warehouse labels"];
  const ids = names.map((displayName, i) => {
    const id = printerIdFor(i + 1);
    sim.addPrinter({
      id,
      displayName,
      manufacturer: "Contoso",
      model: `UP-${100 + i}`,
      location: { building: "HQ", floor: String(i) },
    });
    return id;
  });
  const [lobby, finance, warehouse] = ids as [string, string, string];
  let n = 100;
  for (const state of states) sim.addJob(lobby, makeJob(lobby, n++, { state, tasks: state === "processing" ? 2 : 1 }));
  for (let i = 0; i < 12; i++) sim.addJob(finance, makeJob(finance, n++, { userIndex: i }));
  const redirectedFrom = `${graphHost}/v1.0/print/printers/${lobby}/jobs/199`;
  const redirectedTo = `${graphHost}/v1.0/print/printers/${warehouse}/jobs/200`;
  sim.addJob(
    lobby,
    makeJob(lobby, 199, { state: "canceled", redirectedTo, description: "The job was redirected to another printer." }),
  );
  sim.addJob(warehouse, makeJob(warehouse, 200, { state: "processing", redirectedFrom, tasks: 1 }));
  return [seedPrinterId, ...ids];
}

export interface JobMove {
  printerId: string;
  jobId: string;
  state: string;
}

/** Moves one non-terminal job (not one of `skip`, "printerId/jobId") a step forward, as printers do; returns what changed. */
export function advanceOneJob(
  sim: UniversalPrintSimulator,
  skip: ReadonlySet<string> = new Set(),
): JobMove | undefined {
  const next: Record<string, string> = {
    pending: "processing",
    processing: "completed",
    paused: "processing",
    stopped: "aborted",
  };
  for (const [printerId, printer] of sim.printers) {
    for (const [jobId, job] of printer.jobs) {
      const state = job.status?.state ?? "";
      if (next[state] && !skip.has(`${printerId}/${jobId}`)) {
        sim.setJobState(printerId, jobId, next[state]!, { isAcquiredByPrinter: true });
        for (const task of job.tasks ?? [])
          task.status = { state: next[state] === "completed" ? "completed" : "processing", description: "Updated." };
        return { printerId, jobId, state: next[state]! };
      }
    }
  }
  return undefined;
}

/** Moves up to `count` different jobs a step forward each (the sandbox's second run at start); returns what changed. */
export function advanceJobs(sim: UniversalPrintSimulator, count: number): JobMove[] {
  const moved: JobMove[] = [];
  const skip = new Set<string>();
  while (moved.length < count) {
    const changed = advanceOneJob(sim, skip);
    if (!changed) break;
    skip.add(`${changed.printerId}/${changed.jobId}`);
    moved.push(changed);
  }
  return moved;
}

/** Every printJobConfiguration property Graph v1.0 has, with values its enums know (checked in test/graph/models.test.ts). */
export const fullJobConfiguration = {
  collate: true,
  colorMode: "color",
  copies: 2,
  dpi: 600,
  duplexMode: "flipOnShortEdge",
  feedOrientation: "longEdgeFirst",
  finishings: ["staple", "punch"],
  fitPdfToPage: true,
  inputBin: "Tray 2",
  margin: { bottom: 4000, left: 4000, right: 4000, top: 4000 },
  mediaSize: "North America Letter",
  mediaType: "stationery",
  multipageLayout: "clockwiseFromTopLeft",
  orientation: "landscape",
  outputBin: "Face down",
  pageRanges: [{ start: 2, end: 4 }],
  pagesPerSheet: 4,
  quality: "high",
  scaling: "shrinkToFit",
};
