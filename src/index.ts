export * from './bedrock-model';
export * from './cost-allocation-tags';
export * from './cost-tracked-inference-profile';
export * from './cost-tracked-bedrock-agent';
