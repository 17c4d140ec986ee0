"""The assist's imperative shell: model files that registry packages ship (fetched at install
time, checked by checksum, never downloaded at run time), media decoded in chunks with the
ffmpeg that imageio-ffmpeg ships, and the runners that turn them into arrays for
``samspill.core.assist``."""
