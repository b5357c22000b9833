// Global set-up of the end-to-end project: build the site once and serve it for every e2e file
// (each file used to build it again), then hand its address to the files through `inject('siteUrl')`.
import type { TestProject } from 'vitest/node';

import { buildAndServe } from '../e2e/browser';

declare module 'vitest' {
  export interface ProvidedContext {
    siteUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { url, server } = await buildAndServe();
  project.provide('siteUrl', url);
  return () => server.close();
}
