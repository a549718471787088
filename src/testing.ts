/**
 * rxnova/testing: a scripted transport for marble tests of your own code.
 * @packageDocumentation
 * @module rxnova/testing
 */
export { TestTransport, TestConnection } from './testing/test-transport';
export type { TestScript, TestTransportConfig, TestTransportWrite } from './testing/test-transport';
export { TestSocket } from './testing/test-socket';
export type {
  TestSocketReadyState,
  TestSocketClosedBy,
  TestFrameRecord,
  TestTiming,
  TestOpenOptions,
  TestCloseOptions,
  TestRefuseOptions,
  TestSocketStep,
  TestWriteHandler,
} from './testing/test-socket';
export { openEvent, frameEvent, closeEvent } from './testing/transport-events';
export { seededRandom } from './backoff/seeded-random';
