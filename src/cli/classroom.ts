/**
 * `transfer-lab classroom <setup|start|stop|status|warm|remove-accounts>`: the lab for a whole class
 * on one JupyterHub. `prepare-home` is what the hub runs, as the student, at each login.
 * @see README.md "Classroom server"
 */
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { removeStudentAccount } from '../classroom/accounts';
import { startHub, stopHub } from '../classroom/hub';
import { classroomFiles, classroomPaths, readClassroomRecord } from '../classroom/paths';
import { setupClassroom } from '../classroom/setup';
import { classroomStatus, formatStatus } from '../classroom/status';
import { TRAIN_DATASETS, warmClassroom } from '../classroom/warm';
import { prepareWorkspace } from '../classroom/workspace';
import { ClassroomError } from '../errors';

export const CLASSROOM_USAGE = `Usage: transfer-lab classroom <command> [options]   (root, Debian)

Commands:
  setup (--roster FILE | --students N [--student-prefix P]) [--teacher NAME] [--bind IP] [--port N]
        [--mirror DIR] [--workers-per-student N] [--idle-minutes N] [--quick]
                    install JupyterHub (apt), the course once in the install folder, the tslab kernel
                    for every user; create the accounts (passwords in <config>/passwords.txt, root only);
                    write <config>/jupyterhub_config.py
  start [--foreground | --background]
                    run the hub (systemd unit where systemd runs, else a background process with a PID
                    file) and print the URL for the projector
  stop              stop the hub by its PID (it stops every student's server and the proxy)
  status [--json]   hub up/down, URL, students and their servers, workers per student, assets, warm cache
  warm [--mode quick|full|both|none] [--datasets LIST|none]
                    before class: compute the features lesson 05 and \`train\` need into the shared cache
  remove-accounts   delete the accounts setup created (and their homes): the end of a course

Folders (defaults for a real setup; the test uses temporary ones):
  --install-dir DIR   the shared read-only course (default /opt/transfer-lab)
  --config-dir DIR    jupyterhub_config.py, classroom.json, passwords.txt (default /etc/transfer-lab)
  --state-dir DIR     the hub's database, PID files and log, the board's data (default /var/lib/transfer-lab)
  --kernel-prefix DIR where the tslab kernelspec goes: DIR/share/jupyter/kernels (default /usr/local)`;

const int = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ClassroomError(`classroom: ${flag} must be a whole number >= 0, received ${JSON.stringify(value)}.`);
  return n;
};

/** Runs one `classroom` subcommand; returns the exit code. */
export async function runClassroomCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    console.log(CLASSROOM_USAGE);
    return 0;
  }
  const { values } = parseArgs({
    args: rest,
    allowPositionals: false,
    options: {
      roster: { type: 'string' },
      students: { type: 'string' },
      'student-prefix': { type: 'string' },
      teacher: { type: 'string' },
      bind: { type: 'string' },
      port: { type: 'string' },
      mirror: { type: 'string' },
      'workers-per-student': { type: 'string' },
      'idle-minutes': { type: 'string' },
      quick: { type: 'boolean', default: false },
      'install-dir': { type: 'string' },
      'config-dir': { type: 'string' },
      'state-dir': { type: 'string' },
      'kernel-prefix': { type: 'string' },
      foreground: { type: 'boolean', default: false },
      background: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      mode: { type: 'string' },
      datasets: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const paths = classroomPaths({
    installDir: values['install-dir'], configDir: values['config-dir'], stateDir: values['state-dir'], kernelPrefix: values['kernel-prefix'],
  });
  if (values.help || sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
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
      if (!['quick', 'full', 'both', 'none'].includes(mode)) throw new ClassroomError(`classroom warm: --mode must be quick, full, both or none, received '${mode}'.`);
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
      console.error(`transfer-lab classroom: unknown command '${sub}'.\n\n${CLASSROOM_USAGE}`);
      return 2;
  }
}
