/** Vitest setup file of both projects: each test file's temporary directories go when the file ends. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/temp';

afterAll(removeTempDirs);
