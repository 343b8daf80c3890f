/** The erasure status route's parameter (GET /audit/erasures/{erasureId}). */
import { type Schema } from "../schema";
import { pathParameter, textType } from "./parameter";

export const erasureParameters = {
  erasureId: pathParameter("erasureId", textType, "Erasure ID", "Id of an erasure, as the erase action returned it."),
} satisfies Record<string, Schema>;
