"""Run by BORIS's own Python (SAMSPILL_BORIS_PYTHON): load a project with BORIS's loader.

Usage: python boris_loader_check.py PROJECT.boris
Prints JSON: {"error": str|None, "integrity": str, "intervals": {obs: [[subject, code,
modifier, start, stop|null|"open"], ...]}} where the intervals come from BORIS's own
START/STOP flagging (project_functions.events_start_stop); a point event has stop null, a
state BORIS found no STOP for has stop "open". Runs without a display and without libmpv: the
package's GUI entry point (boris/__init__ imports the main window) is bypassed, and the video
player binding is replaced by an empty module when libmpv is not installed; neither takes part in
loading or checking a project.
"""

import importlib.util
import json
import re
import sys
import types


def _import_boris_functions():
    spec = importlib.util.find_spec("boris")
    package = types.ModuleType("boris")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["boris"] = package
    try:
        import boris.mpv2  # noqa: F401
    except OSError:  # libmpv missing: the player is not needed to read a project
        stub = types.ModuleType("boris.mpv2")
        stub.dll = ""
        sys.modules["boris.mpv2"] = stub
    from boris import project_functions

    return project_functions


def main(path):
    pf = _import_boris_functions()
    _, _, pj, _ = pf.open_project_json(path)
    if "error" in pj:
        return {"error": pj["error"], "integrity": "", "intervals": {}}
    integrity = pf.check_project_integrity(pj, "s", path, media_file_available=False)
    integrity = re.sub(r"<br>|<b>|</b>", " ", integrity).strip()
    intervals = {}
    for name, obs in pj["observations"].items():
        flagged = pf.events_start_stop(pj["behaviors_conf"], obs["events"], obs["type"])
        running, out = {}, []
        for event in flagged:
            time, subject, code, modifier = event[0], event[1], event[2], event[3]
            flag = event[-1]
            if flag == "POINT":
                out.append([subject, code, modifier, str(time), None])
            elif flag == "START":
                running[(subject, code, modifier)] = str(time)
            else:
                out.append([subject, code, modifier, running.pop((subject, code, modifier)),
                            str(time)])
        out += [[*key, start, "open"] for key, start in running.items()]
        intervals[name] = out
    return {"error": None, "integrity": integrity, "intervals": intervals}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
