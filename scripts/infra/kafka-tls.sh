#!/usr/bin/env bash
# Certificates for the local broker's SASL_SSL listener, made once and reused:
#
#   scripts/infra/kafka-tls.sh DIR
#
# writes into DIR
#   ca.pem, ca.key          a private CA (clients trust ca.pem: KAFKA_SSL_CA_FILE=DIR/ca.pem)
#   broker.pem, broker.key  the broker's certificate, SAN DNS:localhost and IP:127.0.0.1
#   broker.p12              the broker keystore (PKCS12: key, certificate and CA chain)
#   truststore.p12          the CA as a Java truststore, for Java clients (kafka-console-*, ...)
#   keystore.password       the password of both stores
# and regenerates everything when a file is missing or the broker certificate expires within a day.
set -euo pipefail

DIR="${1:?usage: kafka-tls.sh DIR}"
FILES=(ca.pem ca.key broker.pem broker.key broker.p12 truststore.p12 keystore.password)

complete() {
  local f
  for f in "${FILES[@]}"; do [[ -s "$DIR/$f" ]] || return 1; done
  openssl x509 -checkend 86400 -noout -in "$DIR/broker.pem" >/dev/null 2>&1
}

complete && exit 0

# Runs a command silently, showing its output only if it fails.
quiet() {
  local out
  out="$("$@" 2>&1)" || { printf '%s\n' "$out" >&2; echo "[kafka] ERROR: failed: $1 ${2:-}" >&2; return 1; }
}

command -v openssl >/dev/null 2>&1 || { echo "[kafka] ERROR: openssl not found (needed once to make the broker's TLS certificates)" >&2; exit 1; }
# keytool of the JDK that runs the broker, so the truststore format is one it reads.
keytool="${JAVA_HOME:+$JAVA_HOME/bin/keytool}"
[[ -n "$keytool" && -x "$keytool" ]] || keytool="$(command -v keytool)" || { echo "[kafka] ERROR: keytool not found (it comes with the JDK)" >&2; exit 1; }

# Built in a temporary directory and moved into place, so an interrupted run leaves no half set.
mkdir -p "$(dirname "$DIR")"
work="$(mktemp -d "$(dirname "$DIR")/tls.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
umask 077

password="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
printf '%s' "$password" >keystore.password

quiet openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout ca.key -out ca.pem \
  -subj "/CN=iris-platform local Kafka CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
quiet openssl req -newkey rsa:2048 -nodes -sha256 -keyout broker.key -out broker.csr -subj "/CN=localhost"
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" >broker.ext
quiet openssl x509 -req -sha256 -days 825 -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -extfile broker.ext -out broker.pem
quiet openssl pkcs12 -export -name broker -in broker.pem -inkey broker.key -certfile ca.pem \
  -out broker.p12 -passout "pass:$password"
quiet "$keytool" -importcert -noprompt -alias iris-platform-ca -file ca.pem \
  -keystore truststore.p12 -storetype PKCS12 -storepass "$password"
# The CA certificate is public; only keys and stores stay owner-only.
chmod 644 ca.pem broker.pem

rm -rf "$DIR"
mkdir -p "$DIR"
mv "${FILES[@]}" "$DIR"/
echo "[kafka] made TLS certificates in $DIR (CA: $DIR/ca.pem)"
