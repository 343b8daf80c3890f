/**
 * Microsoft's Kusto language service (@kusto/language-service-next, the engine of the portal's Logs editor),
 * loaded offline, with the Application Insights tables the app's queries read declared as a schema: a query
 * that misspells a table, a column or a function, or breaks the syntax, gets an error here as it would there.
 */
import { createRequire } from "node:module";

/** The few members of the language service (a Bridge.NET build, loaded as globals) these tests use. */
interface KustoList<T> {
  Count: number;
  getItem(index: number): T;
}
interface KustoDiagnostic {
  Severity: string;
  Code: string;
  Message: string;
  Start: number;
}
interface KustoApi {
  Language: {
    Symbols: {
      TableSymbol: { $ctor7: new (name: string, schema: string, description: string | null) => object };
      DatabaseSymbol: { ctor: new (name: string, members: object[]) => object };
    };
    GlobalState: { Default: { WithDatabase(database: object): object } };
    KustoCode: { ParseAndAnalyze(text: string, globals: object): { GetDiagnostics(): KustoList<KustoDiagnostic> } };
  };
}

/** Columns every Application Insights table has (the classic schema a component's Logs and workbooks query). */
const common =
  "timestamp:datetime, itemType:string, itemId:string, itemCount:int, customDimensions:dynamic, " +
  "customMeasurements:dynamic, operation_Name:string, operation_Id:string, operation_ParentId:string, " +
  "operation_SyntheticSource:string, session_Id:string, user_Id:string, user_AuthenticatedId:string, " +
  "user_AccountId:string, application_Version:string, client_Type:string, client_Model:string, client_OS:string, " +
  "client_IP:string, client_City:string, client_StateOrProvince:string, client_CountryOrRegion:string, " +
  "client_Browser:string, cloud_RoleName:string, cloud_RoleInstance:string, appId:string, appName:string, " +
  "iKey:string, sdkVersion:string";

/** The tables of an Application Insights component that the workbook, query pack, alerts and docs may read. */
export const appInsightsTables: Record<string, string> = {
  traces: `(${common}, message:string, severityLevel:int)`,
  requests: `(${common}, id:string, source:string, name:string, url:string, success:bool, resultCode:string, duration:real, performanceBucket:string)`,
  customEvents: `(${common}, name:string)`,
  dependencies: `(${common}, id:string, target:string, type:string, name:string, data:string, success:bool, resultCode:string, duration:real, performanceBucket:string)`,
  exceptions: `(${common}, problemId:string, handledAt:string, type:string, message:string, assembly:string, method:string, outerType:string, outerMessage:string, innermostType:string, innermostMessage:string, severityLevel:int, details:dynamic)`,
};

let globals: { kusto: KustoApi; state: object } | undefined;

function languageService(): { kusto: KustoApi; state: object } {
  if (globals) return globals;
  const load = createRequire(__filename);
  load("@kusto/language-service-next/bridge.js");
  load("@kusto/language-service-next/Kusto.Language.Bridge.js");
  const kusto = (globalThis as unknown as { Kusto: KustoApi }).Kusto;
  const { TableSymbol, DatabaseSymbol } = kusto.Language.Symbols;
  const tables = Object.entries(appInsightsTables).map(([name, schema]) => new TableSymbol.$ctor7(name, schema, null));
  const state = kusto.Language.GlobalState.Default.WithDatabase(new DatabaseSymbol.ctor("appInsights", tables));
  globals = { kusto, state };
  return globals;
}

/** Every error the language service finds in a query (syntax, names, types), as "KS142 message at offset". */
export function kqlErrors(query: string): string[] {
  const { kusto, state } = languageService();
  const diagnostics = kusto.Language.KustoCode.ParseAndAnalyze(query, state).GetDiagnostics();
  const errors: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === "Error")
      errors.push(`${d.Code} ${d.Message} at ${d.Start}: ${query.slice(d.Start, d.Start + 40)}`);
  }
  return errors;
}
