#!version:1.0.0.1
## provbox: the phone's own Yealink boot file (<mac>.boot). No settings of
## its own: it names the files to load, in order, relative to this folder.
include:config "y000000000000.cfg"
include:config "{{device.mac}}.cfg"
