export * from './pooling';
export * from './lmHead';
export * from './topk';
export * from './metrics';
export * from './content';
export * from './spectral';
export * from './align';
export * from './report';
