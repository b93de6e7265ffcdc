# A self-signed SHA-256 test CA and two leaves under it, one signed with SHA-1 and one with SHA-256.
set -e
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -subj "/C=JP/CN=SHA1 policy test CA" -days 3650 -sha256 -addext basicConstraints=critical,CA:TRUE -outform der -out CA.der 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -subj "/C=JP/CN=SHA1 policy test leaf" -out leaf.csr 2>/dev/null
openssl x509 -inform der -in CA.der -out ca.pem
for h in sha1 sha256; do
  openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 7 -days 3650 -$h -outform der -out LEAF_$h.der 2>/dev/null
done
