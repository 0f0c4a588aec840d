"""An output directory that appears only when complete (shared by the scripts that write one):
filled under a temporary name beside its final place, then renamed into place; on any error or
interrupt the temporary directory is removed, and an existing directory is replaced only when
asked."""
import os
import shutil
import tempfile
from pathlib import Path


def publish(out, force, fill):
    """Calls fill(tmp) on a fresh directory beside `out`, then renames it to `out`.
    Raises FileExistsError (nothing written) when `out` exists and not `force`."""
    out = Path(out)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and not force:
        raise FileExistsError(str(out))
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; out is an ordinary directory
        fill(tmp)
        if out.exists():
            old = parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
