/** Downloading the CSV export of the filter in the form. */
import { guarded } from "./access";
import { downloadCsv } from "./api";
import { h } from "./dom";
import { formFilter } from "./filters";
import { setStatus } from "./shell";

/** The CSV of the filter in the form (applied or not yet), fetched with the key header and saved from a Blob. */
export async function saveCsv(): Promise<void> {
  setStatus("Preparing the CSV…");
  await guarded(
    async () => {
      const { blob, fileName, truncated } = await downloadCsv(formFilter().filter);
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: fileName, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setStatus(
        `CSV of the current filter downloaded as ${fileName} (${(blob.size / 1024).toFixed(1)} KiB, every recorded state of each job).` +
          (truncated ? " It stops at the export's row limit: narrow the date range for the rest." : ""),
      );
    },
    () => void saveCsv(),
  );
}
