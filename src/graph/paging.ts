import { getPagedAsyncIterator, type PagedAsyncIterableIterator } from "@azure/core-paging";
import { GraphError } from "./graphError";
import { describePath } from "./paths";
import { type GraphPage } from "./types";

/** One page of a Graph list: its items, and the link to the next page as its continuation token. */
export type ListPage<T> = T[] & { continuationToken?: string };

/** Where `byPage` starts: a page's continuation token (its @odata.nextLink), else the first page. */
export interface ListPageSettings {
  continuationToken?: string;
}

export type PagedGraphList<T> = PagedAsyncIterableIterator<T, ListPage<T>, ListPageSettings>;

/**
 * A lazy list over a Graph collection, page by page over @odata.nextLink, as the Azure SDKs list: nothing is
 * requested before the first item or page is asked for. `getPage` GETs one page (a path or a nextLink).
 */
export function pagedGraphList<T>(
  firstPath: string,
  getPage: (pathOrUrl: string) => Promise<GraphPage<T> | undefined>,
): PagedGraphList<T> {
  return getPagedAsyncIterator<T, ListPage<T>, ListPageSettings>({
    firstPageLink: firstPath,
    async getPage(link) {
      // An empty continuation token is the end of the list.
      if (!link) return undefined;
      const body = await getPage(link);
      if (!body || !Array.isArray(body.value)) {
        throw new GraphError(`Microsoft Graph's page for ${describePath(link)} has no "value" array.`, {
          kind: "invalidResponse",
          code: "invalidPage",
        });
      }
      const page: ListPage<T> = body.value;
      page.continuationToken = body["@odata.nextLink"];
      return { page, nextPageLink: page.continuationToken };
    },
  });
}
