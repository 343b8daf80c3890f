/** Where the audit's work writes its lines (the Functions InvocationContext is one). */
export interface AuditLog {
  log(message: string): void;
  warn(message: string): void;
}
