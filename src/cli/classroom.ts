/**
 * `transfer-lab classroom <setup|start|stop|status|warm|remove-accounts>`: the lab for a whole class
 * on one JupyterHub. `prepare-home` is what the hub runs, as the student, at each login.
 * @see README.md "Classroom server"
 */
import { homedir } from 'node:os';
import { removeStudentAccount } from '../classroom/accounts';
import { startHub, stopHub } from '../classroom/hub';
import { classroomFiles, classroomPaths, readClassroomRecord } from '../classroom/paths';
import { setupClassroom } from '../classroom/setup';
import { classroomStatus, formatStatus } from '../classroom/status';
import { TRAIN_DATASETS, warmClassroom } from '../classroom/warm';
import { prepareWorkspace } from '../classroom/workspace';
import { stringFlag, UsageError, type FlagValues } from './args';
import { CLASSROOM_USAGE } from './classroom_usage';

const int = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number >= 0, received ${JSON.stringify(value)}.`);
  return n;
};

/** Runs one `classroom` subcommand (the first positional) with the flags args.ts parsed; returns the exit code. */
export async function runClassroomCommand(positionals: string[], flags: FlagValues): Promise<number> {
  const [sub, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`classroom ${sub} takes no further arguments; received ${extra.join(' ')}.`);
  const str = (flag: string) => stringFlag(flags, flag);
  const values = {
    roster: str('roster'), students: str('students'), 'student-prefix': str('student-prefix'), teacher: str('teacher'),
    bind: str('bind'), port: str('port'), mirror: str('mirror'), 'workers-per-student': str('workers-per-student'),
    'idle-minutes': str('idle-minutes'), quick: flags.quick === true, 'install-dir': str('install-dir'), 'config-dir': str('config-dir'),
    'state-dir': str('state-dir'), 'kernel-prefix': str('kernel-prefix'), foreground: flags.foreground === true,
    background: flags.background === true, json: flags.json === true, mode: str('mode'), datasets: str('datasets'),
  };
  const paths = classroomPaths({
    installDir: values['install-dir'], configDir: values['config-dir'], stateDir: values['state-dir'], kernelPrefix: values['kernel-prefix'],
  });
  if (sub === undefined || sub === 'help') {
    console.log(CLASSROOM_USAGE);
    return 0;
  }
  switch (sub) {
    case 'setup': {
      const result = await setupClassroom({
        ...paths,
        roster: values.roster,
        students: int('--students', values.students),
        studentPrefix: values['student-prefix'],
        teacher: values.teacher,
        bind: values.bind,
        port: int('--port', values.port),
        mirror: values.mirror,
        workersPerStudent: values['workers-per-student'],
        idleMinutes: int('--idle-minutes', values['idle-minutes']),
        quick: values.quick,
      });
      const { record } = result;
      const created = result.accounts.filter((a) => a.created).length;
      console.log(
        [
          `Classroom set up: ${record.students.length} students, teacher ${record.teacher} (admin).`,
          `  accounts:   ${created} created, ${result.accounts.length - created} kept (their passwords unchanged)`,
          `  passwords:  ${result.passwordsFile} (root only)`,
          `  hub config: ${result.config.file}${result.config.outcome === 'kept' ? ` (you changed it: kept; the new one is ${result.config.newFile})` : ''}`,
          `  workers:    ${record.workersPerStudent} per student (${record.workersSource === 'teacher' ? 'set by you' : 'cores / students'})`,
          `  mirror:     ${record.mirror}`,
          `Next: transfer-lab classroom warm (before class), then transfer-lab classroom start.`,
        ].join('\n'),
      );
      return 0;
    }
    case 'start': {
      const record = readClassroomRecord(paths);
      const started = await startHub(record, { foreground: values.foreground, background: values.background });
      if (started.mode !== 'foreground') {
        console.log(`Classroom hub up (${started.mode}${started.pid ? `, PID ${started.pid}` : ''}, JupyterHub ${started.version ?? '?'}; log: ${started.log}).`);
        console.log(`Put this URL on the projector:\n  ${started.urls.join('\n  ')}`);
      }
      return 0;
    }
    case 'stop': {
      const record = readClassroomRecord(paths);
      const stopped = await stopHub(record);
      console.log(stopped.outcome === 'not running' ? 'The classroom hub was not running.' : `Classroom hub ${stopped.outcome}${stopped.hubPid ? ` (PID ${stopped.hubPid})` : ''}.`);
      return 0;
    }
    case 'status': {
      const status = await classroomStatus(readClassroomRecord(paths));
      console.log(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return status.hub.up ? 0 : 3;
    }
    case 'warm': {
      const mode = values.mode ?? 'both';
      if (!['quick', 'full', 'both', 'none'].includes(mode)) throw new UsageError(`classroom warm: --mode must be quick, full, both or none, received '${mode}'.`);
      const datasets = values.datasets === undefined ? Object.keys(TRAIN_DATASETS) : values.datasets === 'none' ? [] : values.datasets.split(',').map((d) => d.trim());
      const warm = await warmClassroom(readClassroomRecord(paths), { modes: mode === 'both' ? ['quick', 'full'] : mode === 'none' ? [] : [mode as 'quick' | 'full'], datasets });
      console.log(`Shared cache warmed: ${warm.entries} feature sets (${classroomFiles(paths).sharedCache}).`);
      for (const s of warm.steps) console.log(`  ${s.step}: ${s.seconds.toFixed(0)} s`);
      return 0;
    }
    case 'prepare-home': {
      const report = prepareWorkspace(process.env.HOME ?? homedir(), paths.installDir);
      console.log(`${report.dir}: ${report.copied.length} notebooks copied, ${report.kept.length} kept${report.linked.length ? `, linked ${report.linked.join(', ')}` : ''}`);
      return 0;
    }
    case 'remove-accounts': {
      const record = readClassroomRecord(paths);
      for (const name of [...record.students, record.teacher]) console.log(`${name}: ${removeStudentAccount(name) ? 'removed' : 'no such account'}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown classroom command '${sub}'; the commands are setup, start, stop, status, warm, prepare-home, remove-accounts.`);
  }
}
