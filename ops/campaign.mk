# ops/: the operator database and OTA switch campaigns (uicc-ota campaign commands).
