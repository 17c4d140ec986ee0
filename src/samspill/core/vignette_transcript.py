"""The master coder's transcript of the demo vignette (fictional, after the article's vignette):
what the coder saw at each moment, with the codes of ``core.vignette`` tagged inline."""

from __future__ import annotations

VIGNETTE_TRANSCRIPT = """\
# The master coder's running narrative of the vignette; codes in brackets link to the events.
00:00 Monica sits on the sofa with her phone, an arm's length and more from Maria [far]
00:20 Maria holds up a toy towards her mother [bid]
00:27 Monica nods and says faintly "se der, ja", eyes back on the phone at once [respond]
00:55 Maria holds the toy up again, closer [bid]
01:03 a late nod, no words [respond]
01:35 Maria shows the toy a third time; nothing comes back [bid]
02:00 Monica leaves the room without a word to Maria [leave]
      Maria was not prepared for the separation
02:00 Maria alone [absent 02:30]
03:00 Monica comes back [return]; Maria is crying [distress]
03:05 Monica points her to the toys instead of picking her up [redirect]
03:20 again: "look, the toys" [redirect]
03:25 Maria lifts her arms to be picked up [bid]
03:35 Maria lifts her arms again [bid]; Monica gently pushes her towards a toy [redirect 03:36]
03:48 Maria tries to climb onto her lap [bid]
04:00 Monica picks her up at last [hold]
04:06 Maria pulls her legs up to stay as she is put down [bid]
04:10 Monica sits back down, out of reach [far]; Maria stops crying [inaudible]
"""
