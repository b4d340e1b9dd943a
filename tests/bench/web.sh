# web.sh - what `make bench` (tests/bench/run.sh) and `make soak`
# (tests/soak/run.sh) do with curl on the stack at $APP, with the cookie
# jar $WORK/cookies: sign in, make an API token, read a form's token,
# percent-encode. Sourced; die() is the caller's.

# The csrf_token of the form in the HTML file $1.
csrf_of() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$1" | head -1; }

# Percent-encodes $1 for a query string.
urlencode() {
	local s=$1 out= c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[a-zA-Z0-9.~_-]) out+=$c ;;
		*) printf -v c '%%%02X' "'$c"; out+=$c ;;
		esac
	done
	echo "$out"
}

# Signs in as $1 with the demo password; sets cookie (the header line of
# the session) and jar.
sign_in() {
	local session
	jar=$WORK/cookies
	curl -s -c "$jar" -b "$jar" "$APP/login" -o "$WORK/login.html"
	curl -s -c "$jar" -b "$jar" -o /dev/null \
		--data-urlencode "csrf_token=$(csrf_of "$WORK/login.html")" \
		--data-urlencode "username=$1" \
		--data-urlencode "password=arbor-demo-password" "$APP/login"
	session=$(awk '$6 == "__Host-arbor_session" { print $7 }' "$jar")
	[ -n "$session" ] || die "login as $1 failed"
	cookie="Cookie: __Host-arbor_session=$session"
}

# An API token named $1 of the signed-in user, through the Tokens page
# (the secret shows on the page the creation redirects to); sets token.
api_token() {
	curl -s -b "$jar" -c "$jar" "$APP/tokens" -o "$WORK/tokens.html"
	token=$(curl -s -L -b "$jar" -c "$jar" \
		--data-urlencode "csrf_token=$(csrf_of "$WORK/tokens.html")" \
		--data-urlencode "name=$1" \
		--data-urlencode "expires_on=$(date -u -d '+30 days' +%Y-%m-%d)" \
		"$APP/tokens/new" | sed -n 's/.*id="token-secret">\([^<]*\)<.*/\1/p')
	[ -n "$token" ] || die "could not create an API token"
}
