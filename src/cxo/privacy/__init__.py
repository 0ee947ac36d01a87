"""Data protection: erase one customer (:mod:`cxo.privacy.erase`), export what is held about
them (:mod:`cxo.privacy.subject`) and age out raw text (:mod:`cxo.privacy.retention`)."""
