/**
 * Usage and flags of `transfer-lab classroom`, apart from its implementation so that the CLI's
 * command table (and `--help`) does not load the classroom modules.
 */
import type { OptionSpecs } from './args';

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

/** Flags of `transfer-lab classroom` (besides the common ones, which include --mirror). */
export const CLASSROOM_OPTIONS: OptionSpecs = {
  roster: { type: 'string' },
  students: { type: 'string' },
  'student-prefix': { type: 'string' },
  teacher: { type: 'string' },
  bind: { type: 'string' },
  port: { type: 'string' },
  'workers-per-student': { type: 'string' },
  'idle-minutes': { type: 'string' },
  quick: { type: 'boolean' },
  'install-dir': { type: 'string' },
  'config-dir': { type: 'string' },
  'state-dir': { type: 'string' },
  'kernel-prefix': { type: 'string' },
  foreground: { type: 'boolean' },
  background: { type: 'boolean' },
  json: { type: 'boolean' },
  mode: { type: 'string' },
  datasets: { type: 'string' },
};

