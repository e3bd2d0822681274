/** @trainwatch/tasks/testing: fault-injection fixtures for detector tests. */
export { mnistWith } from './variants';
