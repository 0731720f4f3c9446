# (area fragment; M2M profile: CAT, OTA receiver, RFM executor, key-set switch)
