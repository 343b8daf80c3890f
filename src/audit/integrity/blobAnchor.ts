/**
 * The anchor over Azure Blob Storage: append blobs in the evidence container, reached with the same storage
 * settings and credential as the audit's tables. Blobs are created with If-None-Match: * (an existing blob is
 * never reset) and only ever appended to; a blob that reached its block limit continues in <hh>.1.jsonl, ...
 */
import { type TokenCredential } from "@azure/core-auth";
import { isRestError } from "@azure/core-rest-pipeline";
import { BlobServiceClient, type AppendBlobClient, type ContainerClient } from "@azure/storage-blob";
import { type EvidenceAnchor } from "./anchor";

/** An append blob stops at 50,000 blocks; this size guard keeps an append from growing a blob past 100 GiB. */
const maxBlobBytes = 100 * 1024 ** 3;
const maxContinuations = 9;

type StorageTarget =
  { kind: "connectionString"; connectionString: string } | { kind: "identity"; blobServiceUri: string };

/** The evidence container from the storage settings: a connection string (Azurite or keys) or the identity-based blob URI. */
export function evidenceContainer(
  storage: StorageTarget,
  containerName: string,
  credential: () => TokenCredential,
): ContainerClient {
  const service =
    storage.kind === "connectionString"
      ? BlobServiceClient.fromConnectionString(storage.connectionString)
      : new BlobServiceClient(storage.blobServiceUri, credential());
  return service.getContainerClient(containerName);
}

function statusOf(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}

/** The blob is full (its block count or the size guard): the text goes to the next continuation. */
function isBlobFull(error: unknown): boolean {
  const code = isRestError(error) ? error.code : undefined;
  return statusOf(error) === 409 || statusOf(error) === 412 || code === "BlockCountExceedsLimit";
}

export class BlobAnchor implements EvidenceAnchor {
  private containerReady: Promise<void> | undefined;
  private readonly created = new Set<string>();

  constructor(private readonly container: ContainerClient) {}

  /** The container, created if missing (in Azure the Bicep declares it, with its immutability policy). */
  private async ready(): Promise<void> {
    this.containerReady ??= this.container.createIfNotExists().then(() => undefined);
    this.containerReady.catch(() => (this.containerReady = undefined));
    await this.containerReady;
  }

  async append(blobName: string, text: string): Promise<void> {
    await this.ready();
    const body = Buffer.from(text, "utf8");
    for (let continuation = 0; ; continuation++) {
      const name = continuation === 0 ? blobName : blobName.replace(/\.jsonl$/, `.${continuation}.jsonl`);
      const blob = this.container.getAppendBlobClient(name);
      await this.createOnce(name, blob);
      try {
        await blob.appendBlock(body, body.length, { conditions: { maxSize: maxBlobBytes } });
        return;
      } catch (error) {
        if (!isBlobFull(error) || continuation >= maxContinuations) throw error;
      }
    }
  }

  /** Creates the blob unless it exists (If-None-Match: *: an existing blob is never reset). */
  private async createOnce(name: string, blob: AppendBlobClient): Promise<void> {
    if (this.created.has(name)) return;
    try {
      await blob.create({ conditions: { ifNoneMatch: "*" } });
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    this.created.add(name);
  }

  /** Never creates the container: an operator who verifies may only read. */
  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(blob.name);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    return names;
  }

  async read(blobName: string): Promise<string> {
    return (await this.container.getBlobClient(blobName).downloadToBuffer()).toString("utf8");
  }
}
