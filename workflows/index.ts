// The worker bundles this file: every workflow type the product runs is exported here.
export { invoiceLifecycleWorkflow } from './invoice-lifecycle';
export { ksefDispatcherWorkflow } from './dispatcher';
export { operationsSweepWorkflow } from './operations-sweep';
export { counterpartyAuditWorkflow } from './counterparty-audit';
export { purchaseImportWorkflow } from './purchase-import';
