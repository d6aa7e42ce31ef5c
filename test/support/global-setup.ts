// Placeholder until the DynamoDB Local harness lands: no shared services yet.
export default function setup(): void {}
