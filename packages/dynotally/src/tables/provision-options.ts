/** Options shared by the table provisioning functions. */
export interface ProvisionOptions {
  /** How long to wait for the table and its indexes to become ACTIVE (default 5 minutes). */
  timeoutMs?: number;
}
