#!/bin/sh
# Regenerates the EC test PKI (see README.md). Run from this directory; keys are random, so
# every file changes: commit all of them together.
set -eu
DAYS=10950
cat > ext.cnf <<'CNF'
[root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
# Keys (PKCS#8 PEM, unencrypted: test keys only).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out root-p384.key.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out inter-p384.key.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out leaf-p384.key.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out leaf-p256.key.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out root-p256.key.pem
# P-384 root (self-signed, ecdsa-with-SHA384).
openssl req -new -x509 -sha384 -key root-p384.key.pem -days $DAYS -set_serial 0x3841 \
  -subj "/C=JP/O=MynaKit EC TEST/CN=MynaKit EC TEST Root P-384" \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -outform DER -out root-p384.der
# P-256 root (self-signed, ecdsa-with-SHA256).
openssl req -new -x509 -sha256 -key root-p256.key.pem -days $DAYS -set_serial 0x2561 \
  -subj "/C=JP/O=MynaKit EC TEST/CN=MynaKit EC TEST Root P-256" \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -outform DER -out root-p256.der
openssl x509 -inform DER -in root-p384.der -out root-p384.pem
openssl x509 -inform DER -in root-p256.der -out root-p256.pem
# issue NAME KEY SUBJECT ISSUER_CERT_PEM ISSUER_KEY DIGEST SECTION SERIAL
issue() {
  openssl req -new -key "$2" -subj "$3" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA "$4" -CAkey "$5" -"$6" -days $DAYS -set_serial "$8" \
    -extfile ext.cnf -extensions "$7" -outform DER -out "$1.der"
  rm "$1.csr"
}
# P-384 intermediate under the P-384 root; a P-384 leaf under it (ecdsa-with-SHA384).
issue inter-p384 inter-p384.key.pem "/C=JP/O=MynaKit EC TEST/CN=MynaKit EC TEST Intermediate P-384" \
  root-p384.pem root-p384.key.pem sha384 inter 0x3842
openssl x509 -inform DER -in inter-p384.der -out inter-p384.pem
issue leaf-p384 leaf-p384.key.pem "/C=JP/O=MynaKit EC TEST/CN=MynaKit EC TEST Leaf P-384" \
  inter-p384.pem inter-p384.key.pem sha384 leaf 0x3843
# A P-256 leaf signed by the P-384 root (ecdsa-with-SHA384).
issue leaf-p256 leaf-p256.key.pem "/C=JP/O=MynaKit EC TEST/CN=MynaKit EC TEST Leaf P-256" \
  root-p384.pem root-p384.key.pem sha384 leaf 0x2562
# A P-256 leaf (same key) signed by the P-256 root (ecdsa-with-SHA256).
issue leaf-p256-by-p256 leaf-p256.key.pem "/C=JP/O=MynaKit EC TEST/CN=MynaKit EC TEST Leaf P-256" \
  root-p256.pem root-p256.key.pem sha256 leaf 0x2563
rm -f ext.cnf root-p384.pem root-p256.pem inter-p384.pem root-p384.srl root-p256.srl inter-p384.srl
# Message signatures (DER Ecdsa-Sig-Value) over message.txt.
printf 'MynaKit ECDSA test message\n' > message.txt
openssl dgst -sha384 -sign leaf-p384.key.pem -out message.leaf-p384.sha384.sig message.txt
openssl dgst -sha256 -sign leaf-p256.key.pem -out message.leaf-p256.sha256.sig message.txt
# The P-256 leaf key also as DER (OpenSSL 3.0 writes SEC1 ECPrivateKey, RFC 5915), for
# tests that sign with it.
openssl pkey -in leaf-p256.key.pem -outform DER -out leaf-p256.key.der
openssl pkey -in leaf-p384.key.pem -pubout -out leaf-p384.pub.pem
openssl pkey -in leaf-p256.key.pem -pubout -out leaf-p256.pub.pem
openssl dgst -sha384 -verify leaf-p384.pub.pem -signature message.leaf-p384.sha384.sig message.txt
openssl dgst -sha256 -verify leaf-p256.pub.pem -signature message.leaf-p256.sha256.sig message.txt
rm -f leaf-p384.pub.pem leaf-p256.pub.pem
# The chains, as openssl sees them.
for c in root-p384 inter-p384 leaf-p384 leaf-p256 root-p256 leaf-p256-by-p256; do
  openssl x509 -inform DER -in $c.der -out $c.pem
done
cat inter-p384.pem > untrusted.pem
openssl verify -CAfile root-p384.pem -untrusted untrusted.pem leaf-p384.pem
openssl verify -CAfile root-p384.pem leaf-p256.pem
openssl verify -CAfile root-p256.pem leaf-p256-by-p256.pem
rm -f ./*.pem.tmp untrusted.pem root-p384.pem inter-p384.pem leaf-p384.pem leaf-p256.pem root-p256.pem leaf-p256-by-p256.pem
