/**
 * Worker threads per student on a shared classroom server. Every pool of a student's lab starts
 * this many workers (the hub sets TRANSFER_LAB_WORKERS for their server), so a class does not
 * start students x cores threads on one machine.
 */
import { ClassroomError } from '../errors';

/**
 * The default share: the cores divided by the students, rounded down, at least 1 and at most all
 * cores (e.g. 2 cores and 40 students: 1; 64 cores and 40 students: 1; 64 cores and 16 students: 4).
 * Students rarely compute at the same second, but when they do (everyone presses Run after the
 * same sentence) a bigger share only adds thread switching.
 */
export function defaultWorkersPerStudent(cores: number, students: number): number {
  if (!Number.isInteger(cores) || cores < 1 || !Number.isInteger(students) || students < 1) {
    throw new ClassroomError(`defaultWorkersPerStudent(): cores and students must be whole numbers >= 1, received cores ${JSON.stringify(cores)}, students ${JSON.stringify(students)}.`);
  }
  return Math.min(cores, Math.max(1, Math.floor(cores / students)));
}

/** The teacher's --workers-per-student, checked: a whole number from 1 to the core count. */
export function parseWorkersPerStudent(value: string, cores: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > cores) {
    throw new ClassroomError(`classroom setup: --workers-per-student must be a whole number from 1 to ${cores} (the cores of this machine), received ${JSON.stringify(value)}.`);
  }
  return n;
}
