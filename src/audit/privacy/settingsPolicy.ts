/** The privacy the audit applies: what the settings ask for, with the pseudonym key resolved. */
import { type PrivacyPolicy } from "./policy";
import { type PseudonymKeyProvider } from "./pseudonymKey";
import { type AuditSettings } from "../../settings/audit";
import { PseudonymKeyUnavailableError } from "../../errors";

type PrivacySettings = Pick<AuditSettings, "redactUsers" | "omitDocumentNames">;

/** The policy to record and rewrite under; `create` lets the audit timer create a missing Key Vault secret. */
export async function privacyPolicy(
  settings: PrivacySettings,
  keys: PseudonymKeyProvider,
  options: { create?: boolean } = {},
): Promise<PrivacyPolicy> {
  const { redactUsers, omitDocumentNames } = settings;
  const key = await keys.get(options);
  if (redactUsers === "hash" && !key)
    throw new PseudonymKeyUnavailableError("Setting AUDIT_HASH_KEY is required with AUDIT_REDACT_USERS=hash.");
  return { redactUsers, omitDocumentNames, ...(key ? { key } : {}) };
}

/** For finding a user's rows: the policy with the key when it can be read (required only under hash). */
export async function privacyForLookup(settings: PrivacySettings, keys: PseudonymKeyProvider): Promise<PrivacyPolicy> {
  const { redactUsers, omitDocumentNames } = settings;
  try {
    return await privacyPolicy(settings, keys);
  } catch (error) {
    if (!(error instanceof PseudonymKeyUnavailableError) || redactUsers === "hash") throw error;
    return { redactUsers, omitDocumentNames };
  }
}
