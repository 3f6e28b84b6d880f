{
  "targets": [
    {
      "target_name": "ipsecgw",
      "sources": ["native/ipsecgw.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra"]
    }
  ]
}
