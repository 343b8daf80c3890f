/** The application roles the app needs on Microsoft Graph, and nothing more. */
export const requiredGraphRoles: readonly string[] = ["PrintJob.ReadBasic.All", "Printer.Read.All"];

/** The roles as a message names them: "PrintJob.ReadBasic.All and Printer.Read.All". */
export const requiredGraphPermissions = requiredGraphRoles.join(" and ");
