# (area fragment; owned by that area)
