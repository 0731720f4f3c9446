# tools/: uicc-term, the scripted M2M terminal.
