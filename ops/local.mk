# ops/: key files (CMS), the key escrow, uicc-escrow, uicc-perso batch.
