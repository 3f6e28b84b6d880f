{
  "targets": [
    {
      "target_name": "ipsecgw",
      "sources": ["native/ipsecgw.c", "native/caps.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra"]
    }
  ]
}
